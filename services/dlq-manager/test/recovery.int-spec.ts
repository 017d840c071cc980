import type { INestApplication } from "@nestjs/common";
import { freePort } from "@hookstream/testing";
import { TestDestination } from "../../../test/support/destinations";
import { eventually, sleep } from "../../../test/support/eventually";
import { TestStack } from "../../../test/support/stack";
import { loadDlqConfig } from "../src/config";
import { createDlqManager } from "../src/dlq.app";
import { entry, entryOf, entryWhen, send } from "./dlq.support";

// A fast schedule: two deliveries per run, three automatic retries 300 ms to 600 ms after each failure. Every
// destination here is one host: its circuit breaker stays out of the way, so each attempt reaches it.
const secret = TestDestination.secret("recovery-destination-secret");
const dest = new TestDestination(secret);
const stack = new TestStack();

async function subscribe(workspaceId: string, answer: number | ((n: number) => number)): Promise<void> {
  dest.answer(`/${workspaceId}`, answer);
  await stack.subscribe({ workspaceId, resource: `acme/${workspaceId}`, destinationUrl: dest.url(`/${workspaceId}`), destinationSecret: secret });
}

const leaderGauge = async (port: number) => {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/hookstream_dlq_recovery_leader\{[^}]*\} (\d)/.exec(text)?.[1]);
};

beforeAll(async () => {
  await dest.start();
  await stack.start({
    JOB_BACKOFF: "500ms",
    JOB_MAX_DELIVER: "2",
    DLQ_RETRIES: "3",
    DLQ_RETRY_FIRST: "300ms",
    DLQ_RETRY_LAST: "600ms",
    DLQ_RECOVERY_INTERVAL: "200ms",
    BREAKER_FAILURES: "1000",
  });
});

afterAll(async () => {
  await stack.stop();
  await dest.stop();
});

describe("automatic recovery", () => {
  it("retries a transient failure until its destination heals, then marks it reprocessed", async () => {
    // The original run and the first retry fail (two deliveries each); the second retry is delivered.
    await subscribe("ws-heals", (n) => (n <= 4 ? 503 : 200));
    await send(stack, "acme/ws-heals", "d-heals");
    const first = await entryOf(stack, "ws-heals");
    const done = await entryWhen(stack, first.id, (e) => e.status === "reprocessed", "the entry reprocessed", 30_000);
    await sleep(1000);
    expect(dest.on("/ws-heals").map((d) => d.id)).toEqual([
      "d-heals:ws-heals",
      "d-heals:ws-heals",
      "d-heals:ws-heals:replay:1",
      "d-heals:ws-heals:replay:1",
      "d-heals:ws-heals:replay:2",
    ]);
    expect(done).toMatchObject({ retryCount: 2, replayCount: 2, deliveryCount: 4, needsManualIntervention: false, nextRetryAt: null });
    expect(done.attempts).toHaveLength(4);
    expect(done.replays!.map((r) => [r.n, r.trigger, r.requestedBy, r.outcome])).toEqual([
      [1, "automatic", "automatic-recovery", "dead_lettered"],
      [2, "automatic", "automatic-recovery", "succeeded"],
    ]);
    const runs = await stack.db.query<{ replayed: number; instance: string }>("SELECT replayed, instance FROM dlq_processing_log WHERE replayed > 0");
    expect(runs.reduce((n, r) => n + r.replayed, 0)).toBeGreaterThanOrEqual(2);
  });

  it("leaves a validation failure pending, untouched", async () => {
    await subscribe("ws-invalid", 422);
    await send(stack, "acme/ws-invalid", "d-invalid");
    const e = await entryOf(stack, "ws-invalid");
    await sleep(2500);
    expect(await entry(stack, e.id)).toMatchObject({ status: "pending", errorCategory: "validation", retryCount: 0, replayCount: 0, needsManualIntervention: true });
    expect(dest.on("/ws-invalid")).toHaveLength(1);
  });

  it("marks an entry failed, for an operator, once every automatic retry is spent", async () => {
    await subscribe("ws-dead", 500);
    await send(stack, "acme/ws-dead", "d-dead");
    const first = await entryOf(stack, "ws-dead");
    const failed = await entryWhen(stack, first.id, (e) => e.status === "failed", "the entry failed", 30_000);
    await sleep(1500);
    expect(await entry(stack, first.id)).toMatchObject({ status: "failed", needsManualIntervention: true, retryCount: 3, deliveryCount: 8, nextRetryAt: null });
    expect(new Set(failed.attempts.map((a) => a.jobSeq)).size).toBe(4);
    expect(dest.on("/ws-dead")).toHaveLength(8);
    expect((await stack.db.query("SELECT 1 FROM dead_letter_queue WHERE workspace_id = 'ws-dead'")).length).toBe(1);
    const text = await (await fetch(stack.url("dlq", "/metrics"))).text();
    expect(text).toMatch(/hookstream_dlq_recovery_outcomes_total\{[^}]*outcome="exhausted"[^}]*\} 1/);
    expect(text).toMatch(/hookstream_dlq_replays_total\{[^}]*trigger="automatic"[^}]*\} [5-9]/);
  });

  it("runs on one DLQ manager at a time, and another takes over when the leader stops", async () => {
    const port = await freePort();
    let second: INestApplication | undefined = await createDlqManager(loadDlqConfig({ ...stack.env, DLQ_PORT: String(port) }));
    try {
      await sleep(1000);
      expect([await leaderGauge(stack.ports.dlq), await leaderGauge(port)]).toEqual([1, 0]);
      await stack.stopService("dlq");
      await eventually(async () => (await leaderGauge(port)) === 1, "the second DLQ manager leading");
      // The new leader goes on retrying.
      await subscribe("ws-takeover", (n) => (n <= 2 ? 500 : 200));
      await send(stack, "acme/ws-takeover", "d-takeover");
      const e = await eventually(async () => (await stack.db.query<{ id: string }>("SELECT id FROM dead_letter_queue WHERE workspace_id = 'ws-takeover'"))[0], "the entry");
      await eventually(async () => (await stack.db.query("SELECT 1 FROM dead_letter_queue WHERE id = $1 AND status = 'reprocessed'", [e.id])).length === 1, "reprocessed by the new leader", 30_000);
    } finally {
      await second?.close();
      second = undefined;
      await stack.startService("dlq");
    }
  });
});
