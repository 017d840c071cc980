import { TestDestination } from "../../../test/support/destinations";
import { eventually, sleep } from "../../../test/support/eventually";
import { TestStack } from "../../../test/support/stack";
import { jobEvents, push, sendGithub, workerMetric } from "./worker.support";

// A first backoff of 3 s is also the first delivery's ack deadline (nats-server 2.9): only working() heartbeats
// keep a longer job from being redelivered. (At 1 s, event-loop lag on a loaded CI machine could outlast the
// deadline between two heartbeats and cause a redelivery that is not what this file tests.)
const secret = TestDestination.secret("fairness");
const dest = new TestDestination(secret);
const stack = new TestStack();

jest.setTimeout(120_000);

beforeAll(async () => {
  await dest.start();
  await stack.start({ JOB_BACKOFF: "3s", JOB_MAX_DELIVER: "10", WORKER_CONCURRENCY: "8", WORKSPACE_CONCURRENCY: "2" });
});

afterAll(async () => {
  await stack.stop();
  await dest.stop();
});

describe("fairness", () => {
  let attempt = 0;

  it("keeps a slow workspace from delaying the others beyond a bound, and still delivers all of its jobs once", async () => {
    // A failed test is retried in place (jest.setup): a retry takes workspaces and deliveries of its own.
    const run = `-${++attempt}`;
    const slowWs = `slow${run}`;
    // Without the limit a fast job would wait at least one slow delivery; the bound leaves a loaded machine (test
    // files run in parallel on two cores) well over a second of scheduling lag below that.
    const SLOW_MS = 4000;
    dest.answer(`/${slowWs}`, { status: 200, delayMs: SLOW_MS });
    await stack.subscribe({ workspaceId: slowWs, resource: `acme/slow${run}`, destinationUrl: dest.url(`/${slowWs}`), destinationSecret: secret });
    const fast = Array.from({ length: 5 }, (_, i) => `fast-${i}${run}`);
    for (const ws of fast) await stack.subscribe({ workspaceId: ws, resource: `acme/fast${run}`, destinationUrl: dest.url(`/${ws}`), destinationSecret: secret });

    // Twelve slow jobs first: without a per-workspace limit they would take all eight slots for SLOW_MS.
    for (let i = 0; i < 12; i++) await sendGithub(stack, "push", `slow-${i}${run}`, push(`acme/slow${run}`, i));
    await sleep(300);
    const sent: number[] = [];
    for (let i = 0; i < 3; i++) {
      sent.push(Date.now());
      await sendGithub(stack, "push", `fast-${i}${run}`, push(`acme/fast${run}`, i));
    }
    await eventually(() => fast.every((ws) => dest.on(`/${ws}`).length === 3), "every fast delivery", 10_000);
    const latencies = fast.flatMap((ws) => dest.on(`/${ws}`).map((d) => d.at - sent[Number(JSON.parse(d.body).after.slice(1))]!));
    expect(Math.max(...latencies)).toBeLessThan(SLOW_MS - 1000);

    await eventually(() => dest.on(`/${slowWs}`).length >= 12, "every slow delivery", 90_000);
    await sleep(1500);
    const slow = dest.on(`/${slowWs}`);
    expect(slow).toHaveLength(12);
    expect(new Set(slow.map((d) => d.id)).size).toBe(12);
    // Never more than its two slots at once: no request arrived while two others were still being answered.
    const inFlightAt = (t: number) => slow.filter((d) => d.at <= t && d.at > t - (SLOW_MS - 50)).length;
    expect(Math.max(...slow.map((d) => inFlightAt(d.at)))).toBeLessThanOrEqual(2);
    // Deferrals are not failed attempts, and a job is deferred a few times at most (each costs a delivery), far from
    // JOB_MAX_DELIVER: its turns follow the workspace's measured durations.
    for (let i = 0; i < 12; i++) {
      const events = await eventually(async () => {
        const e = await jobEvents(stack, `slow-${i}${run}:${slowWs}`);
        return e.some((x) => x.kind === "succeeded") && e;
      }, `slow-${i} to succeed`);
      expect(events.map((e) => e.kind)).not.toContain("attempt_failed");
      expect(events.find((e) => e.kind === "succeeded")!.attempt).toBeLessThanOrEqual(6);
    }
    expect(await workerMetric(stack, "hookstream_jobs_deferred_total", { reason: "workspace_limit" })).toBeGreaterThan(0);
  });

  it("does not redeliver a job that outlives the first backoff value while it runs", async () => {
    dest.answer("/long", { status: 200, delayMs: 4000 });
    await stack.subscribe({ workspaceId: "long", resource: "acme/long", destinationUrl: dest.url("/long"), destinationSecret: secret });
    await sendGithub(stack, "push", "long-1", push("acme/long"));
    const [event] = await eventually(async () => {
      const e = (await jobEvents(stack, "long-1:long")).filter((x) => x.kind === "succeeded");
      return e.length > 0 && e;
    }, "the long job to succeed", 20_000);
    await sleep(1500);
    expect(dest.on("/long")).toHaveLength(1);
    expect(event).toMatchObject({ kind: "succeeded", attempt: 1 });
    expect((event as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(4000);
  });
});
