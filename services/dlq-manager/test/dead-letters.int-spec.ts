import { headers as natsHeaders } from "@nats-io/nats-core";
import { jetstream } from "@nats-io/jetstream";
import { CONSUMERS, STREAMS, SUBJECTS } from "@hookstream/contracts";
import { TestDestination } from "../../../test/support/destinations";
import { eventually, sleep } from "../../../test/support/eventually";
import { READ_TOKEN, TestStack } from "../../../test/support/stack";
import { entries, entry, entryOf, entryWhen, send } from "./dlq.support";

// Three deliveries a second apart (an ack deadline that a delivery under load never outlives); automatic recovery keeps its default schedule (first retry after 5 min), so
// nothing here is retried behind the tests' backs. Every destination here is one host: its circuit breaker stays out
// of the way, so each attempt reaches it.
const secret = TestDestination.secret("dlq-destination-secret");
const dest = new TestDestination(secret);
const stack = new TestStack();

async function failing(workspaceId: string, status: number): Promise<void> {
  dest.answer(`/${workspaceId}`, status);
  await stack.subscribe({ workspaceId, resource: `acme/${workspaceId}`, destinationUrl: dest.url(`/${workspaceId}`), destinationSecret: secret });
}

beforeAll(async () => {
  await dest.start();
  await stack.start({ JOB_BACKOFF: "1s,1s", JOB_MAX_DELIVER: "3", BREAKER_FAILURES: "1000" });
});

afterAll(async () => {
  await stack.stop();
  await dest.stop();
});

describe("dead-lettering", () => {
  it("turns max deliveries into exactly one entry with every attempt, also when the advisory comes twice", async () => {
    await failing("ws-500", 500);
    await send(stack, "acme/ws-500", "d-500");
    const e = await entryOf(stack, "ws-500");
    expect(e).toMatchObject({
      status: "pending",
      reason: "max_deliveries",
      errorCategory: "external_api",
      deliveryCount: 3,
      jobId: "d-500:ws-500",
      needsManualIntervention: false,
      retryCount: 0,
    });
    expect(e.attempts.map((a) => [a.attempt, a.status, a.jobSeq])).toEqual([
      [1, 500, Number(e.streamSeq)],
      [2, 500, Number(e.streamSeq)],
      [3, 500, Number(e.streamSeq)],
    ]);
    // The first automatic retry comes after DLQ_RETRY_FIRST (5 min by default).
    expect(Date.parse(e.nextRetryAt!) - Date.parse(e.createdAt)).toBeGreaterThan(4 * 60_000);

    const advisories = await stack.jsm.streams.info(STREAMS.advisories);
    const stored = await stack.jsm.streams.getMessage(STREAMS.advisories, { seq: advisories.state.last_seq });
    const h = natsHeaders();
    h.set("Nats-Msg-Id", "advisory-again");
    await jetstream(stack.nc).publish(stored!.subject, stored!.data, { headers: h });
    await sleep(1000);
    expect(await entries(stack, "?workspaceId=ws-500")).toHaveLength(1);
    expect((await entry(stack, e.id)).attempts).toHaveLength(3);
  });

  it("turns a termination into one validation entry that no automatic step will retry", async () => {
    await failing("ws-400", 400);
    await send(stack, "acme/ws-400", "d-400");
    const e = await entryOf(stack, "ws-400");
    await sleep(500);
    expect(dest.on("/ws-400")).toHaveLength(1);
    expect(await entries(stack, "?workspaceId=ws-400")).toHaveLength(1);
    expect(e).toMatchObject({ status: "pending", reason: "terminated", errorCategory: "validation", deliveryCount: 1, nextRetryAt: null, needsManualIntervention: true });
    expect(e.attempts).toEqual([expect.objectContaining({ attempt: 1, category: "validation", status: 400 })]);
  });

  it("processes an advisory raised while the DLQ manager was stopped once it starts", async () => {
    await failing("ws-down", 500);
    await stack.stopService("dlq");
    const before = (await stack.jsm.streams.info(STREAMS.advisories)).state.messages;
    await send(stack, "acme/ws-down", "d-down");
    await eventually(async () => (await stack.jsm.streams.info(STREAMS.advisories)).state.messages > before, "the advisory stored in ADVISORIES");
    expect(await stack.db.query("SELECT 1 FROM dead_letter_queue WHERE workspace_id = 'ws-down'")).toHaveLength(0);
    await stack.startService("dlq");
    const e = await entryOf(stack, "ws-down");
    expect(e).toMatchObject({ deliveryCount: 3, errorCategory: "external_api" });
    expect(e.attempts).toHaveLength(3);
  });
});

/** The DLQ manager's consumer of job outcomes: what it was handed so far. */
const outcomes = () => stack.jsm.consumers.info(STREAMS.jobEvents, CONSUMERS.dlqOutcomes);

describe("what the DLQ manager reads of JOB_EVENTS", () => {
  it("is handed no event of a live job, failed or delivered", async () => {
    dest.answer("/ws-live", 200);
    await stack.subscribe({ workspaceId: "ws-live", resource: "acme/ws-live", destinationUrl: dest.url("/ws-live"), destinationSecret: secret });
    await send(stack, "acme/ws-live", "d-live");
    // Projected once the worker's `succeeded` is on JOB_EVENTS.
    const [live] = await eventually(async () => {
      const rows = await stack.db.query<{ job_seq: string }>("SELECT job_seq FROM background_jobs WHERE id = 'd-live:ws-live' AND status = 'succeeded'");
      return rows.length > 0 && rows;
    }, "the live job's success projected");
    const succeeded = await stack.jsm.streams.getMessage(STREAMS.jobEvents, { last_by_subj: SUBJECTS.jobEvent("live", "succeeded", Number(live!.job_seq)) });
    expect(succeeded!.json()).toMatchObject({ kind: "succeeded", jobId: "d-live:ws-live" });
    expect(succeeded!.json()).not.toHaveProperty("replayOf");

    // Every job so far is live: the attempts of the dead-lettered ones above, and this success.
    expect((await stack.jsm.streams.info(STREAMS.jobEvents)).state.messages).toBeGreaterThan(10);
    const info = await outcomes();
    expect({ delivered: info.delivered.consumer_seq, pending: info.num_pending, ackPending: info.num_ack_pending }).toEqual({ delivered: 0, pending: 0, ackPending: 0 });
  });
});

describe("replaying one entry", () => {
  it("delivers it once after the destination healed, marks it reprocessed, and refuses a second replay", async () => {
    const e = await entryOf(stack, "ws-500");
    dest.answer("/ws-500", 200);
    const res = await stack.admin("dlq", "POST", `/admin/dlq/${e.id}/replay`, {});
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id: e.id, n: 1, msgId: "d-500:ws-500:replay:1", stream: "JOBS", status: "retrying" });
    const again = await stack.admin("dlq", "POST", `/admin/dlq/${e.id}/replay`, {});
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "not_replayable" });

    const done = await entryWhen(stack, e.id, (x) => x.status === "reprocessed", "the entry reprocessed");
    await sleep(800);
    const delivered = dest.on("/ws-500").filter((d) => d.path === "/ws-500" && d.id.includes(":replay:"));
    expect(delivered.map((d) => [d.id, d.validSignature])).toEqual([["d-500:ws-500:replay:1", true]]);
    expect(done.replays).toEqual([expect.objectContaining({ n: 1, trigger: "manual", requestedBy: "admin", outcome: "succeeded", stream: "JOBS" })]);
    const job = await stack.jsm.streams.getMessage(STREAMS.jobs, { seq: Number(done.replays![0]!.streamSeq) });
    expect(job!.json()).toMatchObject({ jobId: "d-500:ws-500:replay:1", replayOf: "d-500:ws-500", workspaceId: "ws-500" });
    expect(job!.header.get("Hookstream-Replay-Of")).toBe("d-500:ws-500");
    expect((await stack.admin("dlq", "POST", `/admin/dlq/${e.id}/replay`, {})).status).toBe(409);

    // The first replay of this file: its start and success are all the DLQ manager was ever handed.
    const replaySeq = Number(done.replays![0]!.streamSeq);
    const succeeded = await stack.jsm.streams.getMessage(STREAMS.jobEvents, { last_by_subj: SUBJECTS.jobEvent("replay", "succeeded", replaySeq) });
    expect(succeeded!.json()).toMatchObject({ kind: "succeeded", jobId: "d-500:ws-500:replay:1", replayOf: "d-500:ws-500" });
    await eventually(async () => {
      const info = await outcomes();
      return info.delivered.consumer_seq === 2 && info.ack_floor.consumer_seq === 2 && info.num_pending === 0;
    }, "the replay's started and succeeded, and nothing else, handed to dlq-outcomes");
  });

  it("adds a replay that fails again to the same entry, whose history grows", async () => {
    await failing("ws-again", 500);
    await send(stack, "acme/ws-again", "d-again");
    const e = await entryOf(stack, "ws-again");
    expect((await stack.admin("dlq", "POST", `/admin/dlq/${e.id}/replay`, {})).status).toBe(202);
    const after = await entryWhen(stack, e.id, (x) => x.deliveryCount === 6, "the replay's attempts in the entry");
    expect(await entries(stack, "?workspaceId=ws-again")).toHaveLength(1);
    expect(after).toMatchObject({ status: "pending", retryCount: 0, replayCount: 1, jobId: "d-again:ws-again" });
    const runs = [...new Set(after.attempts.map((a) => a.jobSeq))];
    expect(runs).toHaveLength(2);
    expect(after.attempts).toHaveLength(6);
    expect(after.replays).toEqual([expect.objectContaining({ n: 1, outcome: "dead_lettered", streamSeq: String(runs[1]) })]);
    expect(dest.on("/ws-again").map((d) => d.id)).toEqual([...Array(3).fill("d-again:ws-again"), ...Array(3).fill("d-again:ws-again:replay:1")]);
  });
  it("counts a replay the worker finds superseded by a newer event as reprocessed, delivering nothing", async () => {
    await failing("ws-stale", 500);
    const version = (at: string) => ({ action: "edited", issue: { id: 77, number: 7, updated_at: at }, repository: { id: 7, full_name: "acme/ws-stale" } });
    expect((await stack.sendGithub({ event: "issues", delivery: "d-stale-1", body: version("2026-11-27T10:00:00Z") })).status).toBe(202);
    const e = await entryOf(stack, "ws-stale");
    dest.answer("/ws-stale", 200);
    expect((await stack.sendGithub({ event: "issues", delivery: "d-stale-2", body: version("2026-11-27T11:00:00Z") })).status).toBe(202);
    await eventually(() => dest.on("/ws-stale").some((d) => d.id === "d-stale-2:ws-stale"), "the newer event delivered");
    expect((await stack.admin("dlq", "POST", `/admin/dlq/${e.id}/replay`, {})).status).toBe(202);
    const done = await entryWhen(stack, e.id, (x) => x.status === "reprocessed", "the superseded entry reprocessed");
    expect(done.replays).toEqual([expect.objectContaining({ n: 1, outcome: "stale" })]);
    const stale = await stack.jsm.streams.getMessage(STREAMS.jobEvents, { last_by_subj: SUBJECTS.jobEvent("replay", "stale", Number(done.replays![0]!.streamSeq)) });
    expect(stale!.json()).toMatchObject({ kind: "stale", jobId: "d-stale-1:ws-stale:replay:1", replayOf: "d-stale-1:ws-stale" });
    await sleep(500);
    expect(dest.on("/ws-stale").filter((d) => d.id !== "d-stale-1:ws-stale").map((d) => d.id)).toEqual(["d-stale-2:ws-stale"]);
  });
});

describe("operator decisions and the audit log", () => {
  it("a read-only token reads everything and changes nothing", async () => {
    const e = await entryOf(stack, "ws-400");
    for (const path of ["/admin/dlq", "/admin/dlq/stats", "/admin/dlq/audit", `/admin/dlq/${e.id}`]) {
      expect((await stack.admin("dlq", "GET", path, undefined, READ_TOKEN)).status).toBe(200);
    }
    const actions: [string, unknown][] = [
      [`/admin/dlq/${e.id}/replay`, {}],
      ["/admin/dlq/replay", { workspaceId: "ws-400" }],
      ["/admin/dlq/replay", { workspaceId: "ws-400", dryRun: true }],
      [`/admin/dlq/${e.id}/resolve`, { note: "no" }],
      [`/admin/dlq/${e.id}/discard`, { note: "no" }],
      ["/admin/replay", { eventIds: ["d-400"] }],
    ];
    for (const [path, body] of actions) {
      const res = await stack.admin("dlq", "POST", path, body, READ_TOKEN);
      expect([path, res.status]).toEqual([path, 403]);
      expect(await res.json()).toMatchObject({ code: "read_only_token" });
    }
    expect(await entry(stack, e.id)).toMatchObject({ status: "pending", replayCount: 0 });
    expect(dest.on("/ws-400")).toHaveLength(1);
  });

  it("resolves and discards with a note, once, and records every action with the token's name", async () => {
    await failing("ws-discard", 400);
    await send(stack, "acme/ws-discard", "d-discard");
    const [toResolve, toDiscard] = [await entryOf(stack, "ws-400"), await entryOf(stack, "ws-discard")];
    const resolved = await stack.admin("dlq", "POST", `/admin/dlq/${toResolve.id}/resolve`, { note: "customer fixed their endpoint by hand" });
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ status: "resolved", resolvedBy: "admin", resolutionNote: "customer fixed their endpoint by hand", needsManualIntervention: false });
    expect((await stack.admin("dlq", "POST", `/admin/dlq/${toDiscard.id}/discard`, { note: "test event" })).status).toBe(200);
    const twice = await stack.admin("dlq", "POST", `/admin/dlq/${toResolve.id}/discard`, { note: "again" });
    expect(twice.status).toBe(409);
    expect((await stack.admin("dlq", "POST", `/admin/dlq/${toResolve.id}/resolve`, {})).status).toBe(400);
    expect((await stack.admin("dlq", "POST", `/admin/dlq/${toResolve.id}/replay`, {})).status).toBe(409);

    const audit = (await (await stack.admin("dlq", "GET", "/admin/dlq/audit?limit=100")).json()) as { items: { actor: string; action: string; outcome: string; entryId: string | null }[] };
    const seen = audit.items.map((a) => `${a.actor} ${a.action} ${a.outcome} ${a.entryId ?? "-"}`);
    const ws500 = (await entryOf(stack, "ws-500")).id;
    expect(seen).toEqual(
      expect.arrayContaining([
        `admin replay accepted ${ws500}`,
        `admin replay refused ${ws500}`,
        `admin resolve accepted ${toResolve.id}`,
        `admin discard accepted ${toDiscard.id}`,
        `admin discard refused ${toResolve.id}`,
        `admin replay refused ${toResolve.id}`,
      ]),
    );
    expect(audit.items.every((a) => a.actor === "admin")).toBe(true);
    const forEntry = (await (await stack.admin("dlq", "GET", `/admin/dlq/audit?entryId=${toResolve.id}`)).json()) as { items: unknown[] };
    expect(forEntry.items).toHaveLength(3);
  });
});

describe("SQL for operators", () => {
  it("has the indexes, the critical_failures view and move_to_dead_letter_queue", async () => {
    const indexes = (await stack.db.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 'dead_letter_queue'")).map((r) => r.indexname);
    expect(indexes).toEqual(expect.arrayContaining(["dead_letter_queue_status", "dead_letter_queue_next_retry", "dead_letter_queue_workspace", "dead_letter_queue_source", "dead_letter_queue_created"]));
    const critical = await stack.db.query<{ workspace_id: string }>("SELECT workspace_id FROM critical_failures");
    // ws-400 was resolved, ws-discard discarded: only what is still open and needs someone stays critical.
    expect(critical.map((r) => r.workspace_id)).toEqual([]);

    // A job delivered long ago, moved in by hand as if it were stuck, is an entry that can be replayed like any other.
    dest.answer("/ws-stuck", 200);
    await stack.subscribe({ workspaceId: "ws-stuck", resource: "acme/ws-stuck", destinationUrl: dest.url("/ws-stuck"), destinationSecret: secret });
    await send(stack, "acme/ws-stuck", "d-stuck");
    await eventually(() => dest.on("/ws-stuck").length === 1, "the original delivery");
    const [{ id }] = await stack.db.query<{ id: string }>("SELECT move_to_dead_letter_queue('d-stuck:ws-stuck') AS id");
    const [{ id: again }] = await stack.db.query<{ id: string }>("SELECT move_to_dead_letter_queue('d-stuck:ws-stuck') AS id");
    expect(again).toBe(id);
    expect((await stack.db.query("SELECT workspace_id FROM critical_failures")).map((r) => r.workspace_id)).toEqual(["ws-stuck"]);
    await expect(stack.db.query("SELECT move_to_dead_letter_queue('no-such:job')")).rejects.toThrow(/not in routed_events/);
    expect(await entry(stack, id)).toMatchObject({ reason: "manual", status: "pending", streamSeq: null, needsManualIntervention: true, workspaceId: "ws-stuck" });
    expect((await stack.admin("dlq", "POST", `/admin/dlq/${id}/replay`, {})).status).toBe(202);
    await entryWhen(stack, id, (x) => x.status === "reprocessed", "the moved entry reprocessed");
    expect(dest.on("/ws-stuck").map((d) => d.id)).toEqual(["d-stuck:ws-stuck", "d-stuck:ws-stuck:replay:1"]);
  });
});

describe("metrics", () => {
  it("export DLQ size by status and category and the oldest pending age, without ids", async () => {
    const text = await eventually(async () => {
      const t = await (await fetch(stack.url("dlq", "/metrics"))).text();
      return /hookstream_dlq_recovery_leader\{[^}]*\} 1/.test(t) && t;
    }, "the DLQ manager leading recovery");
    expect(text).toMatch(/hookstream_dlq_entries\{[^}]*status="reprocessed",category="external_api"[^}]*\} [1-9]/);
    expect(text).toMatch(/hookstream_dlq_entries\{[^}]*status="resolved",category="validation"[^}]*\} 1/);
    expect(text).toMatch(/hookstream_dlq_entries\{[^}]*status="retrying",category="timeout"[^}]*\} 0/);
    expect(text).toMatch(/hookstream_dlq_oldest_pending_age_seconds\{[^}]*\} \d+/);
    expect(text).toMatch(/hookstream_dlq_replays_total\{[^}]*trigger="manual"[^}]*\} [1-9]/);
    expect(text).toMatch(/hookstream_dlq_recovery_outcomes_total\{[^}]*outcome="reprocessed"[^}]*\} [1-9]/);
    expect(text).toMatch(/hookstream_dlq_recovery_outcomes_total\{[^}]*outcome="failed_again"[^}]*\} 1/);
    expect(text).not.toMatch(/ws-500|d-500/);
    const stats = (await (await stack.admin("dlq", "GET", "/admin/dlq/stats")).json()) as { total: number; byStatus: Record<string, number> };
    expect(stats.total).toBe((await stack.db.query("SELECT 1 FROM dead_letter_queue")).length);
  });
});

// Last: its entry, with no workspace, would show among the critical failures the SQL test above lists.
describe("poison messages", () => {
  it("dead-letters a JOBS message whose bytes are not text PostgreSQL can store, keeping them as base64", async () => {
    const data = new Uint8Array([0xff, 0x00, 0x7b, 0x7b]);
    const { seq } = await jetstream(stack.nc).publish("jobs.github.push", data, { msgID: "binary-poison" });
    const [row] = await eventually(async () => {
      const rows = await stack.db.query<{ category: string; payload: { base64: string } }>(
        "SELECT error_category AS category, payload FROM dead_letter_queue WHERE stream = $1 AND stream_seq = $2",
        [STREAMS.jobs, seq],
      );
      return rows.length > 0 && rows;
    }, "the poison message's entry");
    expect(row!.category).toBe("validation");
    expect(Buffer.from(row!.payload.base64, "base64")).toEqual(Buffer.from(data));
  });
});
