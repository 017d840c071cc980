import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { jetstream } from "@nats-io/jetstream";
import { HEADERS, STREAMS, SUBJECTS } from "@hookstream/contracts";
import { startTelemetry } from "@hookstream/telemetry";
import { TestDestination } from "../support/destinations";
import { eventually, sleep } from "../support/eventually";
import { READ_TOKEN, TestStack } from "../support/stack";

// Spans stay in this process; trace context still travels in NATS headers.
startTelemetry("hookstream-e2e", { env: {} });

const secret = TestDestination.secret("e2e-destination-secret");
const dest = new TestDestination(secret);
const stack = new TestStack();

const pullRequest = (repo: string, n = 7) => ({
  action: "opened",
  number: n,
  pull_request: { id: n, number: n, title: "end to end" },
  repository: { id: 42, full_name: repo },
  sender: { login: "octocat" },
});

type DlqEntry = {
  workspaceId: string;
  errorCategory: string;
  deliveryCount: number;
  reason: string;
  attempts: { attempt: number; category: string; message: string; status?: number }[];
  payload: unknown;
  traceId: string | null;
  jobId: string;
};

async function dlqEntries(query = ""): Promise<DlqEntry[]> {
  const res = await stack.admin("dlq", "GET", `/admin/dlq${query}`, undefined, READ_TOKEN);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: DlqEntry[] }).items;
}

beforeAll(async () => {
  await dest.start();
  // Fast retries: three deliveries 300 ms apart.
  await stack.start({ JOB_BACKOFF: "300ms,300ms", JOB_MAX_DELIVER: "3", WORKER_CONCURRENCY: "8" });
});

afterAll(async () => {
  await stack.stop();
  await dest.stop();
});

describe("a signed GitHub webhook, end to end", () => {
  it("reaches every subscribed workspace once, signed, and records each workspace's activity", async () => {
    for (const ws of ["ws-a", "ws-b", "ws-c"]) await stack.subscribe({ workspaceId: ws, resource: "acme/api", destinationUrl: dest.url(`/${ws}`), destinationSecret: secret });
    await stack.subscribe({ workspaceId: "ws-other", resource: "acme/other", destinationUrl: dest.url("/ws-other"), destinationSecret: secret });

    const first = await stack.sendGithub({ event: "pull_request", delivery: "d-0001", body: pullRequest("acme/api") });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ id: "d-0001", status: "accepted", duplicate: false });
    const again = await stack.sendGithub({ event: "pull_request", delivery: "d-0001", body: pullRequest("acme/api") });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ id: "d-0001", duplicate: true });

    await eventually(() => ["/ws-a", "/ws-b", "/ws-c"].every((p) => dest.on(p).length === 1), "three deliveries");
    // Give a duplicate job time to show up, were there one.
    await sleep(1000);
    for (const p of ["/ws-a", "/ws-b", "/ws-c"]) {
      const [d] = dest.on(p);
      expect(dest.on(p)).toHaveLength(1);
      expect(d!.validSignature).toBe(true);
      expect(d!.id).toBe(`d-0001:${p.slice(1)}`);
      expect(JSON.parse(d!.body)).toEqual(pullRequest("acme/api"));
      expect(d!.headers["x-hookstream-event-type"]).toBe("pull_request");
    }
    expect(dest.on("/ws-other")).toHaveLength(0);
    expect(await stack.streamMessages(STREAMS.webhooks)).toBe(1);
    expect(await stack.streamMessages(STREAMS.jobs)).toBe(3);
    const rows = await stack.db.query<{ workspace_id: string }>("SELECT workspace_id FROM workspace_activity WHERE event_id = 'd-0001' ORDER BY 1");
    expect(rows.map((r) => r.workspace_id)).toEqual(["ws-a", "ws-b", "ws-c"]);
  });

  it("stores the event on webhooks.github.<event> with its id as Nats-Msg-Id, and one trace runs through to the jobs", async () => {
    const event = await stack.jsm.streams.getMessage(STREAMS.webhooks, { seq: 1 });
    expect(event!.subject).toBe("webhooks.github.pull_request");
    expect(event!.header.get(HEADERS.msgId)).toBe("d-0001");
    expect(event!.header.get(HEADERS.resource)).toBe("acme/api");
    const job = await stack.jsm.streams.getMessage(STREAMS.jobs, { seq: 1 });
    expect(job!.subject).toBe("jobs.github.pull_request");
    expect(job!.header.get(HEADERS.msgId)).toMatch(/^d-0001:ws-[abc]$/);
    expect(job!.header.get(HEADERS.workspaceId)).toMatch(/^ws-[abc]$/);
    const traceOf = (tp: string) => tp.split("-")[1];
    expect(event!.header.get("traceparent")).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(traceOf(job!.header.get("traceparent"))).toBe(traceOf(event!.header.get("traceparent")));
  });

  it("refuses a bad signature with 401 and stores nothing", async () => {
    const before = await stack.streamMessages(STREAMS.webhooks);
    const wrongSecret = await stack.sendGithub({ event: "pull_request", delivery: "d-bad-1", body: pullRequest("acme/api"), secret: "not-the-secret" });
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({ code: "invalid_signature" });
    const missing = await stack.sendGithub({ event: "pull_request", delivery: "d-bad-2", body: pullRequest("acme/api"), signature: "" });
    expect(missing.status).toBe(401);
    expect(await stack.streamMessages(STREAMS.webhooks)).toBe(before);
  });

  it("dead-letters a destination that always answers 500 after JOB_MAX_DELIVER attempts, with every attempt's error", async () => {
    dest.answer("/ws-500", 500);
    await stack.subscribe({ workspaceId: "ws-500", resource: "acme/fails", destinationUrl: dest.url("/ws-500"), destinationSecret: secret });
    expect((await stack.sendGithub({ event: "pull_request", delivery: "d-0500", body: pullRequest("acme/fails") })).status).toBe(202);

    const [entry] = await eventually(async () => {
      const e = await dlqEntries("?workspaceId=ws-500");
      return e.length > 0 && e;
    }, "a DLQ entry for ws-500");
    await sleep(1000);
    expect(dest.on("/ws-500")).toHaveLength(3);
    expect(await dlqEntries("?workspaceId=ws-500")).toHaveLength(1);
    expect(entry).toMatchObject({ workspaceId: "ws-500", errorCategory: "external_api", deliveryCount: 3, reason: "max_deliveries", jobId: "d-0500:ws-500" });
    expect(entry!.attempts.map((a) => [a.attempt, a.category, a.status])).toEqual([
      [1, "external_api", 500],
      [2, "external_api", 500],
      [3, "external_api", 500],
    ]);
    expect(entry!.payload).toEqual(pullRequest("acme/fails"));
    expect(entry!.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("dead-letters a destination answering 400 after one attempt", async () => {
    dest.answer("/ws-400", 400);
    await stack.subscribe({ workspaceId: "ws-400", resource: "acme/rejects", destinationUrl: dest.url("/ws-400"), destinationSecret: secret });
    expect((await stack.sendGithub({ event: "pull_request", delivery: "d-0400", body: pullRequest("acme/rejects") })).status).toBe(202);
    const [entry] = await eventually(async () => {
      const e = await dlqEntries("?workspaceId=ws-400");
      return e.length > 0 && e;
    }, "a DLQ entry for ws-400");
    await sleep(800);
    expect(dest.on("/ws-400")).toHaveLength(1);
    expect(entry).toMatchObject({ errorCategory: "validation", deliveryCount: 1, reason: "terminated" });
    expect(entry!.attempts).toHaveLength(1);
    expect(entry!.attempts[0]).toMatchObject({ attempt: 1, category: "validation", status: 400 });
  });

  it("retries a destination that recovers, and delivers once", async () => {
    dest.answer("/ws-flaky", (n) => (n < 2 ? 503 : 200));
    await stack.subscribe({ workspaceId: "ws-flaky", resource: "acme/flaky", destinationUrl: dest.url("/ws-flaky"), destinationSecret: secret });
    expect((await stack.sendGithub({ event: "pull_request", delivery: "d-flaky", body: pullRequest("acme/flaky") })).status).toBe(202);
    await eventually(() => dest.on("/ws-flaky").length === 2, "a retried delivery");
    await sleep(800);
    expect(dest.on("/ws-flaky").map((d) => d.validSignature)).toEqual([true, true]);
    expect(await dlqEntries("?workspaceId=ws-flaky")).toHaveLength(0);
  });

  it("dead-letters a poison message published by hand to JOBS as validation, and keeps going", async () => {
    const h = natsHeaders();
    h.set(HEADERS.msgId, "poison-1");
    await jetstream(stack.nc).publish(SUBJECTS.job("github", "push"), new TextEncoder().encode("{not json"), { headers: h, msgID: "poison-1" });
    const [entry] = await eventually(async () => {
      const e = (await dlqEntries("?category=validation")).filter((x) => x.reason === "terminated" && x.jobId === null);
      return e.length > 0 && e;
    }, "a DLQ entry for the poison message");
    expect(entry!.payload).toBe("{not json");
    expect(entry!.attempts[0]).toMatchObject({ category: "validation" });
    // The worker still processes ordinary jobs afterwards.
    expect((await stack.sendGithub({ event: "pull_request", delivery: "d-after-poison", body: pullRequest("acme/api", 8) })).status).toBe(202);
    await eventually(() => dest.on("/ws-a").length === 2, "a delivery after the poison message");
  });
});

describe("the admin APIs", () => {
  it("refuse calls without the admin token", async () => {
    const res = await fetch(stack.url("router", "/admin/subscriptions"), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(401);
    expect((await stack.admin("dlq", "GET", "/admin/dlq", undefined, "wrong-token-123")).status).toBe(401);
    // A read-only token is known but may not act.
    expect((await stack.admin("router", "POST", "/admin/subscriptions", { workspaceId: "w", source: "github", resource: "*" }, READ_TOKEN)).status).toBe(403);
  });

  it("validate subscriptions and mask secrets", async () => {
    const bad = await stack.admin("router", "POST", "/admin/subscriptions", { workspaceId: "", source: "nope", resource: "x" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "invalid_request" });
    const created = await stack.subscribe({ workspaceId: "ws-gen", resource: "acme/gen", destinationUrl: dest.url("/ws-gen") });
    expect(created.destinationSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const list = (await (await stack.admin("router", "GET", "/admin/subscriptions?workspaceId=ws-gen", undefined, READ_TOKEN)).json()) as { items: { destinationSecret: string }[] };
    expect(list.items[0]!.destinationSecret).toBe(`whsec_…${created.destinationSecret!.slice(-4)}`);
  });

  it("stop routing to a removed subscription", async () => {
    await stack.subscribe({ workspaceId: "ws-gone", resource: "acme/gone", destinationUrl: dest.url("/ws-gone"), destinationSecret: secret });
    const del = await stack.admin("router", "DELETE", "/admin/subscriptions", { workspaceId: "ws-gone", source: "github", resource: "acme/gone" });
    expect(del.status).toBe(204);
    expect((await stack.sendGithub({ event: "pull_request", delivery: "d-gone", body: pullRequest("acme/gone") })).status).toBe(202);
    await sleep(1000);
    expect(dest.on("/ws-gone")).toHaveLength(0);
  });
});

describe("health and metrics", () => {
  it("every service is alive and ready, and exports its counters without ids", async () => {
    for (const s of ["ingress", "router", "worker", "dlq"] as const) {
      expect((await fetch(stack.url(s, "/healthz"))).status).toBe(200);
      const ready = await fetch(stack.url(s, "/readyz"));
      expect(ready.status).toBe(200);
      const metrics = await (await fetch(stack.url(s, "/metrics"))).text();
      for (const name of ["hookstream_webhooks_received_total", "hookstream_messages_published_total", "hookstream_messages_processed_total", "hookstream_dead_letters_total", "# TYPE hookstream_operation_duration_seconds histogram", "hookstream_nats_reconnects_total", "hookstream_nats_pending_bytes"]) {
        expect(metrics).toContain(name);
      }
      // Connection health of the pool each service with PostgreSQL queries through (ingress has none).
      if (s !== "ingress") expect(metrics).toMatch(/^hookstream_db_pool_max_connections\{[^}]*\} [1-9]/m);
      if (s !== "ingress") expect(metrics).toMatch(/^hookstream_db_pool_acquire_duration_seconds_count\{[^}]*\} [1-9]/m);
      expect(metrics).not.toMatch(/d-0001|ws-a"/);
    }
    const ingress = await (await fetch(stack.url("ingress", "/metrics"))).text();
    expect(ingress).toMatch(/hookstream_webhooks_rejected_total\{[^}]*reason="invalid_signature"[^}]*\} [1-9]/);
    const dlq = await (await fetch(stack.url("dlq", "/metrics"))).text();
    expect(dlq).toMatch(/hookstream_dead_letters_total\{[^}]*category="external_api"[^}]*\} 1/);
  });

  it("pass promtool's checks, and export every metric the Grafana dashboard queries", async () => {
    const exported = new Set<string>();
    for (const s of ["ingress", "router", "worker", "dlq"] as const) {
      const text = await (await fetch(stack.url(s, "/metrics"))).text();
      const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
      expect(check.error).toBeUndefined();
      // prom-client's own nodejs_active_*_total gauges draw a naming lint; anything else is a finding.
      const problems = `${check.stdout}\n${check.stderr}`.split("\n").filter((l) => l.trim() && !/^hookstream_nodejs_active_\w+_total non-counter metrics should not have "_total" suffix$/.test(l));
      expect({ service: s, problems }).toEqual({ service: s, problems: [] });
      for (const [, name] of text.matchAll(/^(hookstream_[a-z0-9_]+?)(?:_bucket|_sum|_count)?[{ ]/gm)) exported.add(name!);
    }
    const dashboard = readFileSync(join(__dirname, "../../deploy/helm/hookstream/files/hookstream-dashboard.json"), "utf8");
    const queried = new Set([...dashboard.matchAll(/\b(hookstream_[a-z0-9_]+?)(?:_bucket|_sum|_count)?\b/g)].map(([, m]) => m!));
    expect([...queried].filter((m) => !exported.has(m))).toEqual([]);
  });

  it("serve OpenMetrics with trace exemplars to a scraper that asks for it", async () => {
    const res = await fetch(stack.url("worker", "/metrics"), { headers: { accept: "application/openmetrics-text; version=1.0.0" } });
    expect(res.headers.get("content-type")).toContain("application/openmetrics-text");
    const text = await res.text();
    expect(text).toMatch(/hookstream_operation_duration_seconds_bucket\{[^}]*operation="job"[^}]*\} \d+ # \{traceID="[0-9a-f]{32}"\}/);
    expect(text.trimEnd().endsWith("# EOF")).toBe(true);
    expect(text).toMatch(/hookstream_consumer_pending_messages\{[^}]*stream="JOBS",consumer="workspace-worker"/);
  });
});

describe("an event stored twice", () => {
  it("is routed once, even when the second copy arrives after the stream's duplicate window", async () => {
    await eventually(async () => (await stack.db.query("SELECT 1 FROM routed_events WHERE event_id = 'd-0001'")).length === 1, "d-0001 routed");
    const original = await stack.jsm.streams.getMessage(STREAMS.webhooks, { seq: 1 });
    const jobsBefore = await stack.streamMessages(STREAMS.jobs);
    // A different Nats-Msg-Id stands for a provider retry that JetStream no longer recognizes.
    const h = natsHeaders();
    h.set(HEADERS.msgId, "d-0001-late");
    await jetstream(stack.nc).publish(original!.subject, original!.data, { headers: h, msgID: "d-0001-late" });
    await sleep(1500);
    expect(await stack.streamMessages(STREAMS.jobs)).toBe(jobsBefore);
    const [row] = await stack.db.query<{ job_count: number; workspaces: string[]; stream_seq: string }>(
      "SELECT job_count, workspaces, stream_seq FROM routed_events WHERE event_id = 'd-0001'",
    );
    expect(row).toMatchObject({ job_count: 3, stream_seq: "1" });
    expect([...row!.workspaces].sort()).toEqual(["ws-a", "ws-b", "ws-c"]);
  });
});
