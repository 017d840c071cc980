import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { type JobAttemptFailed, SUBJECTS } from "@hookstream/contracts";
import { startTelemetry } from "@hookstream/telemetry";
import { TestDestination } from "../../../test/support/destinations";
import { eventually } from "../../../test/support/eventually";
import { READ_TOKEN, TestStack } from "../../../test/support/stack";
import { entryOf, entryWhen, send } from "./dlq.support";

// Spans stay in this process; trace context still travels in NATS headers, so events have a trace to link to.
startTelemetry("hookstream-console-test", { env: {} });

// The admin API behind the web console: who the token is, events search and detail, the overview, and the
// console's own files. Two deliveries per job; a host's breaker opens after three failures, so the local
// destination's (two failures) stays closed and the unreachable host's (four) opens.
const secret = TestDestination.secret("console-api-secret");
const dest = new TestDestination(secret);
const stack = new TestStack();
const consoleDir = mkdtempSync(join(tmpdir(), "console-build-"));
const TRACE_URL_TEMPLATE = "https://grafana.example/explore?traceId={traceId}";

async function get<T>(path: string, token?: string): Promise<{ status: number; body: T }> {
  const res = await stack.admin("dlq", "GET", path, undefined, token);
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  mkdirSync(join(consoleDir, "assets"));
  writeFileSync(join(consoleDir, "index.html"), "<!doctype html><title>Hookstream</title>");
  writeFileSync(join(consoleDir, "assets", "index-abc.js"), "export {}");
  await dest.start();
  await stack.start({ JOB_BACKOFF: "1s", JOB_MAX_DELIVER: "2", BREAKER_FAILURES: "3", BREAKER_OPEN_FOR: "5m", BREAKER_MAX_OPEN: "5m", TRACE_URL_TEMPLATE, CONSOLE_DIR: consoleDir });
});

afterAll(async () => {
  await stack.stop();
  await dest.stop();
  rmSync(consoleDir, { recursive: true, force: true });
});

describe("console API", () => {
  it("tells a token which kind it is, and refuses none", async () => {
    expect(await get("/admin/whoami")).toEqual({ status: 200, body: { role: "admin" } });
    expect(await get("/admin/whoami", READ_TOKEN)).toEqual({ status: 200, body: { role: "read" } });
    expect((await get("/admin/whoami", "wrong")).status).toBe(401);
    expect((await get("/admin/config", READ_TOKEN)).body).toEqual({ traceUrlTemplate: TRACE_URL_TEMPLATE });
  });

  it("finds events by id, source, type, resource, workspace and time, and shows one with its jobs and trace", async () => {
    await stack.subscribe({ workspaceId: "ws-ok", resource: "acme/console", destinationUrl: dest.url("/ok"), destinationSecret: secret });
    await stack.subscribe({ workspaceId: "ws-down", resource: "acme/console", destinationUrl: dest.url("/down"), destinationSecret: secret });
    await stack.subscribe({ workspaceId: "ws-gone", resource: "acme/other", destinationUrl: "http://127.0.0.1:1/gone", destinationSecret: secret });
    dest.answer("/down", 503);
    const before = new Date().toISOString();
    await send(stack, "acme/console", "evt-console-1");
    await send(stack, "acme/other", "evt-console-2", "push");
    const entry = await entryOf(stack, "ws-down");

    type Summary = { seq: number; eventId: string; workspaces: string[]; outcome: string };
    const ids = async (q: string) => (await get<{ items: Summary[] }>(`/admin/events${q}`)).body.items.map((e) => e.eventId);
    expect(await ids("?eventId=evt-console-1")).toEqual(["evt-console-1"]);
    expect(await ids("?source=github")).toEqual(["evt-console-2", "evt-console-1"]);
    expect(await ids("?eventType=push")).toEqual(["evt-console-2"]);
    expect(await ids("?resource=acme/console")).toEqual(["evt-console-1"]);
    expect(await ids("?workspaceId=ws-ok")).toEqual(["evt-console-1"]);
    expect(await ids(`?since=${before}`)).toEqual(["evt-console-2", "evt-console-1"]);
    expect(await ids(`?until=${before}`)).toEqual([]);
    expect(await ids("?source=stripe")).toEqual([]);
    expect((await get("/admin/events?since=yesterday")).status).toBe(400);
    const page = await get<{ items: Summary[]; nextCursor: string }>("/admin/events?limit=1");
    expect(page.body.items.map((e) => e.eventId)).toEqual(["evt-console-2"]);
    expect(await ids(`?limit=1&cursor=${page.body.nextCursor}`)).toEqual(["evt-console-1"]);

    // The job projection follows the DLQ entry within its flush interval.
    const summaryOf = async () => (await get<{ items: Summary[] }>("/admin/events?eventId=evt-console-1", READ_TOKEN)).body.items[0];
    await eventually(async () => (await summaryOf())?.outcome === "dead_lettered", "the dead-lettered job projected");
    const summary = await summaryOf();
    expect(summary).toMatchObject({ outcome: "dead_lettered", workspaces: expect.arrayContaining(["ws-ok", "ws-down"]) });
    const detail = await get<{
      eventId: string;
      headers: Record<string, string>;
      payload: unknown;
      trace: { traceId: string; url: string };
      jobs: { jobSeq: number; workspaceId: string; status: string; attempts: number }[];
      deadLetters: { id: string; workspaceId: string }[];
    }>(`/admin/events/${summary!.seq}`, READ_TOKEN);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ eventId: "evt-console-1", jobCount: 2, payload: { repository: { full_name: "acme/console" } }, deadLetters: [{ id: entry.id, workspaceId: "ws-down" }] });
    expect(Object.keys(detail.body.headers).length).toBeGreaterThan(0);
    expect(JSON.stringify(detail.body)).not.toMatch(/sha256=[0-9a-f]{64}/);
    expect(detail.body.trace.url).toBe(`https://grafana.example/explore?traceId=${detail.body.trace.traceId}`);
    expect(detail.body.trace.traceId).toBe(entry.traceId);
    const jobs = Object.fromEntries(detail.body.jobs.map((j) => [j.workspaceId, j]));
    expect(jobs["ws-ok"]).toMatchObject({ status: "succeeded" });
    expect(jobs["ws-down"]).toMatchObject({ status: "dead_lettered", attempts: 2 });

    const attempts = await get<{ items: { attempt: number; category: string }[] }>(`/admin/jobs/${jobs["ws-down"]!.jobSeq}/attempts`, READ_TOKEN);
    expect(attempts.body.items.map((a) => a.attempt)).toEqual([1, 2]);
    expect((await get("/admin/events/999999")).status).toBe(404);
  });

  it("shows the attempts of a job failing across the upgrade that added the mode token to job event subjects", async () => {
    const jobSeq = 900_001;
    const failed = (attempt: number): JobAttemptFailed => ({
      kind: "attempt_failed",
      jobId: "evt-upgrade:ws-upgrade",
      jobSeq,
      workspaceId: "ws-upgrade",
      attempt,
      category: "external_api",
      message: `destination answered 50${attempt}`,
      status: 500 + attempt,
      at: new Date().toISOString(),
      durationMs: 10,
    });
    const js = jetstream(stack.nc);
    // As a worker of the earlier release recorded it, then as one of this release.
    await js.publish(`job-events.attempt_failed.${jobSeq}`, JSON.stringify(failed(1)));
    await js.publish(SUBJECTS.jobEvent("live", "attempt_failed", jobSeq), JSON.stringify(failed(2)));
    const attempts = await get<{ items: { attempt: number; status: number }[] }>(`/admin/jobs/${jobSeq}/attempts`, READ_TOKEN);
    expect(attempts.body.items.map((a) => [a.attempt, a.status])).toEqual([
      [1, 501],
      [2, 502],
    ]);
  });

  it("counts an event delivered once its dead-lettered job was replayed successfully", async () => {
    const entry = await entryOf(stack, "ws-down");
    dest.answer("/down", 200);
    expect((await stack.admin("dlq", "POST", `/admin/dlq/${entry.id}/replay`)).status).toBe(202);
    await entryWhen(stack, entry.id, (e) => e.status === "reprocessed", "the entry reprocessed");
    await eventually(async () => {
      const [e] = (await get<{ items: { outcome: string }[] }>("/admin/events?eventId=evt-console-1")).body.items;
      return e?.outcome === "delivered";
    }, "evt-console-1 delivered");
  });

  it("sums traffic per minute, the dead-letter backlog and the workers' open circuit breakers", async () => {
    await send(stack, "acme/other", "evt-console-3", "push");
    await send(stack, "acme/nobody", "evt-console-4");
    type Overview = {
      webhooksPerMinute: { source: string; outcome: string; count: number }[];
      jobsPerMinute: { status: string; count: number }[];
      dlq: { pending: number; oldestPendingAgeSeconds: number };
      circuitBreakers: { items: { host: string; state: string; worker: string }[] };
    };
    const webhooks = (o: Overview, outcome: string) => o.webhooksPerMinute.filter((w) => w.source === "github" && w.outcome === outcome).reduce((n, w) => n + w.count, 0);
    // Settled: the projection has every job's final status, the breaker is shared.
    const overview = await eventually(async () => {
      const o = (await get<Overview>("/admin/overview?minutes=10", READ_TOKEN)).body;
      return o.circuitBreakers.items.length > 0 && o.dlq.pending === 2 && webhooks(o, "in_flight") === 0 && o;
    }, "the open breaker of 127.0.0.1:1, two pending dead letters and no event in flight");
    expect(overview.circuitBreakers.items).toEqual([expect.objectContaining({ host: "127.0.0.1:1", state: "open" })]);
    expect(["delivered", "dead_lettered", "no_subscribers"].map((outcome) => webhooks(overview, outcome))).toEqual([1, 2, 1]);
    // The replay of ws-down's job is a job too.
    const jobs = (status: string) => overview.jobsPerMinute.filter((j) => j.status === status).reduce((n, j) => n + j.count, 0);
    expect([jobs("succeeded"), jobs("dead_lettered")]).toEqual([2, 3]);
    expect(overview.dlq.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
    expect((await get("/admin/overview?minutes=1")).status).toBe(400);
  });

  it("serves the console with a strict CSP, a long cache for hashed assets and the app for any page", async () => {
    const page = await fetch(stack.url("dlq", "/console/events/42"));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Hookstream</title>");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self';");
    expect(page.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect((await fetch(stack.url("dlq", "/console"))).status).toBe(200);
    const asset = await fetch(stack.url("dlq", "/console/assets/index-abc.js"));
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(asset.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect((await fetch(stack.url("dlq", "/console/assets/index-gone.js"))).status).toBe(404);
  });
});
