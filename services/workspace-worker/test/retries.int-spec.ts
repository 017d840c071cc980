import { TestDestination } from "../../../test/support/destinations";
import { eventually, sleep } from "../../../test/support/eventually";
import { READ_TOKEN, TestStack } from "../../../test/support/stack";
import { jobEvents, push, sendGithub, workerMetric } from "./worker.support";

// Retries 1 s apart (plus jitter; also the ack deadline, which a loaded machine must not miss), many of them: the
// tests below end well before max_deliver.
const secret = TestDestination.secret("retries");
const dest = new TestDestination(secret);
/** On a host of its own: its breaker must not be opened by the other tests' failures, nor open theirs. */
const breakerDest = new TestDestination(secret);
const stack = new TestStack();
let delivery = 0;

jest.setTimeout(120_000);

beforeAll(async () => {
  await Promise.all([dest.start(), breakerDest.start()]);
  await stack.start({ JOB_BACKOFF: "1s", JOB_MAX_DELIVER: "30", DELIVERY_TIMEOUT: "500ms", BREAKER_FAILURES: "3", BREAKER_OPEN_FOR: "1s", BREAKER_MAX_OPEN: "2s" });
});

afterAll(async () => {
  await stack.stop();
  await Promise.all([dest.stop(), breakerDest.stop()]);
});

/** Subscribes `workspaceId` to a repository of its own at `/<workspaceId>` on `d`, and sends one push: its job id. */
async function oneJob(workspaceId: string, d = dest): Promise<string> {
  await stack.subscribe({ workspaceId, resource: `acme/${workspaceId}`, destinationUrl: d.url(`/${workspaceId}`), destinationSecret: secret });
  const id = `r-${++delivery}`;
  await sendGithub(stack, "push", id, push(`acme/${workspaceId}`));
  return `${id}:${workspaceId}`;
}

const kinds = async (jobId: string) => (await jobEvents(stack, jobId)).map((e) => (e.kind === "attempt_failed" ? `${e.attempt}:${e.category}` : `${e.attempt}:${e.kind}`));
const succeeded = (jobId: string) => eventually(async () => (await kinds(jobId)).some((k) => k.endsWith(":succeeded")), `${jobId} to succeed`);
const gaps = (path: string) => dest.on(path).slice(1).map((d, i) => d.at - dest.on(path)[i]!.at);

describe("retries by error category", () => {
  it("retries a timeout with backoff", async () => {
    dest.answer("/ws-timeout", (n) => (n === 1 ? { status: 200, delayMs: 1500 } : 200));
    const job = await oneJob("ws-timeout");
    await succeeded(job);
    expect((await kinds(job)).filter((k) => !k.endsWith("started"))).toEqual(["1:timeout", "2:succeeded"]);
    expect(gaps("/ws-timeout")[0]).toBeGreaterThanOrEqual(500 + 1000);
  });

  it("retries a 5xx with backoff and jitter", async () => {
    dest.answer("/ws-503", (n) => (n <= 2 ? 503 : 200));
    const job = await oneJob("ws-503");
    await succeeded(job);
    const failed = (await jobEvents(stack, job)).filter((e) => e.kind === "attempt_failed");
    expect(failed.map((e) => [e.attempt, e.kind === "attempt_failed" && e.category, e.kind === "attempt_failed" && e.status])).toEqual([
      [1, "external_api", 503],
      [2, "external_api", 503],
    ]);
    for (const gap of gaps("/ws-503")) expect(gap).toBeGreaterThanOrEqual(1000);
  });

  it("honours a 429's Retry-After instead of the schedule", async () => {
    dest.answer("/ws-429", (n) => (n === 1 ? { status: 429, headers: { "retry-after": "2" } } : 200));
    const job = await oneJob("ws-429");
    await succeeded(job);
    expect((await kinds(job)).filter((k) => !k.endsWith("started"))).toEqual(["1:rate_limit", "2:succeeded"]);
    const [gap] = gaps("/ws-429");
    expect(gap).toBeGreaterThanOrEqual(2000);
    expect(gap).toBeLessThan(3500);
  });

  it("terminates a 4xx at once: one attempt, dead-lettered as validation", async () => {
    dest.answer("/ws-422", 422);
    const job = await oneJob("ws-422");
    const entry = await eventually(async () => {
      const res = await stack.admin("dlq", "GET", "/admin/dlq?workspaceId=ws-422", undefined, READ_TOKEN);
      const items = ((await res.json()) as { items: { reason: string; errorCategory: string; deliveryCount: number }[] }).items;
      return items[0];
    }, "a DLQ entry for ws-422");
    expect(entry).toMatchObject({ reason: "terminated", errorCategory: "validation", deliveryCount: 1 });
    await sleep(1000);
    expect(dest.on("/ws-422")).toHaveLength(1);
    expect((await kinds(job)).filter((k) => !k.endsWith("started"))).toEqual(["1:validation"]);
  });

  it("retries an unknown error (here PostgreSQL refusing a write) with backoff, then applies the job once", async () => {
    await stack.db.query("ALTER TABLE workspace_activity_daily RENAME TO workspace_activity_daily_away");
    let job = "";
    try {
      job = await oneJob("ws-unknown");
      await eventually(async () => (await kinds(job)).includes("1:unknown"), "a failed attempt");
    } finally {
      await stack.db.query("ALTER TABLE workspace_activity_daily_away RENAME TO workspace_activity_daily");
    }
    await succeeded(job);
    expect(dest.on("/ws-unknown")).toHaveLength(1);
    const [row] = await stack.db.query<{ event_count: number }>("SELECT event_count FROM workspace_activity_daily WHERE workspace_id = 'ws-unknown'");
    expect(row).toEqual({ event_count: 1 });
  });
});

describe("the circuit breaker per destination host", () => {
  it("opens after repeated failures, defers jobs without calling the host, and closes on a probe's success", async () => {
    let healthy = false;
    let failures = 0;
    const workspaces = Array.from({ length: 6 }, (_, i) => `br-${i}`);
    for (const ws of workspaces) breakerDest.answer(`/${ws}`, () => (healthy ? 200 : (failures++, 503)));
    const jobs = await Promise.all(workspaces.map((ws) => oneJob(ws, breakerDest)));

    await eventually(async () => (await workerMetric(stack, "hookstream_circuit_breakers", { state: "open" })) === 1, "the breaker to open");
    // Open for 1 s, then 2 s after each failed probe: only probes reach the host, instead of six jobs every second.
    const before = breakerDest.received.length;
    await sleep(4000);
    const calledWhileOpen = breakerDest.received.length - before;
    expect(calledWhileOpen).toBeGreaterThanOrEqual(1);
    expect(calledWhileOpen).toBeLessThanOrEqual(4);
    expect(await workerMetric(stack, "hookstream_jobs_deferred_total", { reason: "circuit_open" })).toBeGreaterThan(0);

    healthy = true;
    for (const job of jobs) await succeeded(job);
    for (const ws of workspaces) expect(breakerDest.on(`/${ws}`).at(-1)?.validSignature).toBe(true);
    expect(await workerMetric(stack, "hookstream_circuit_breakers", { state: "open" })).toBe(0);
    expect(await workerMetric(stack, "hookstream_circuit_breakers", { state: "half_open" })).toBe(0);
    // Deferrals behind the breaker are not failed attempts: only the calls that reached the host and failed are.
    const failedAttempts = (await Promise.all(jobs.map((j) => jobEvents(stack, j)))).flat().filter((e) => e.kind === "attempt_failed");
    expect(failedAttempts).toHaveLength(failures);
  });
});
