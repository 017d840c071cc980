import fc from "fast-check";
import { at, jobHistories, jobMessages } from "../../../../test/support/job-histories";
import { advisoryRow, isoTime, jobEventRow, type JobRow, mergeByJob, mergeRows, queuedRow, statusRank } from "./job-row";

const SEQ = 42;
const m = jobMessages(SEQ);
const queued = m.queued();
const ev = (e: Parameters<typeof jobEventRow>[0]) => jobEventRow(e)!;
const fold = (rows: JobRow[]) => rows.reduce(mergeRows);

describe("queuedRow", () => {
  it("takes every fact about the job from its JOBS message", () => {
    expect(queued).toMatchObject({
      jobSeq: SEQ,
      id: "evt-1:ws-1",
      workspaceId: "ws-1",
      eventId: "evt-1",
      source: "github",
      eventType: "pull_request",
      processingMode: "live",
      receivedAt: at(-1),
      queuedAt: at(0),
      status: "queued",
      attempts: 0,
      affectedWorkspaces: 3,
    });
    expect(queuedRow(SEQ, new Date(at(0)), { ...m.job, replayOf: "evt-0:ws-1" })).toMatchObject({ processingMode: "replay", replayOf: "evt-0:ws-1" });
    // Queued before jobs carried their fan-out: the job counts itself.
    expect(queuedRow(SEQ, new Date(at(0)), { ...m.job, fanout: undefined }).affectedWorkspaces).toBe(1);
  });

  it("keeps a message that is not a job, named as the worker names it", () => {
    expect(queuedRow(9, new Date(at(0)), "{not json")).toMatchObject({ jobSeq: 9, id: "#9", workspaceId: null, eventId: null, status: "queued" });
  });

  it("drops what PostgreSQL text cannot hold", () => {
    expect(queuedRow(SEQ, new Date(at(0)), { ...m.job, workspaceId: "ws\u0000-\ud800x" }).workspaceId).toBe("ws-\ufffdx");
  });
});

describe("jobEventRow", () => {
  it("reads each kind of job event", () => {
    expect(ev(m.started(1, 1))).toMatchObject({ status: "started", attempts: 1, startedAt: at(1), completedAt: null, id: null });
    expect(ev(m.failed(1, 2))).toMatchObject({ status: "failed", error: "destination answered 501", errorCategory: "external_api", errorAttempt: 1, responseTimeMs: 250, startedAt: at(1.75) });
    expect(ev(m.succeeded(2, 5))).toMatchObject({ status: "succeeded", completedAt: at(5), responseTimeMs: 120, outcomeAttempt: 2, error: null });
    expect(ev(m.stale(1, 1))).toMatchObject({ status: "stale", completedAt: at(1) });
  });

  it("ignores what is not a job event", () => {
    expect(jobEventRow({ kind: "exploded", jobSeq: SEQ })).toBeNull();
    expect(jobEventRow("{not json")).toBeNull();
  });

  it("keeps absurd numbers within what the table holds", () => {
    const row = ev({ ...m.succeeded(1, 1), attempt: 2 ** 40, durationMs: 1e300 });
    expect(row.responseTimeMs).toBe(2 ** 31 - 1);
    expect(row.startedAt).toBeNull();
    expect(ev({ ...m.failed(1, 1), attempt: 2 ** 40 }).statusRank).toBeLessThan(statusRank("dead_lettered", 1));
  });
});

describe("advisoryRow", () => {
  it("dead-letters a job the workers' consumer gave up on", () => {
    expect(advisoryRow(m.advisory("max_deliver", 3, 9))).toMatchObject({ jobSeq: SEQ, status: "dead_lettered", attempts: 3, completedAt: at(9), errorAttempt: 0 });
    expect(advisoryRow(m.advisory("terminated", 1, 9))).toMatchObject({ status: "dead_lettered", attempts: 1, error: "terminated on delivery 1" });
  });

  it("ignores terminations without a delivery, other streams and other consumers", () => {
    expect(advisoryRow(m.advisory("terminated", 0, 9))).toBeNull();
    expect(advisoryRow(m.advisory("max_deliver", 3, 9, { stream: "WEBHOOKS" }))).toBeNull();
    expect(advisoryRow(m.advisory("max_deliver", 3, 9, { consumer: "job-projector-jobs" }))).toBeNull();
    expect(advisoryRow({ type: "io.nats.jetstream.advisory.v1.nak" })).toBeNull();
  });

  it("reads nanosecond timestamps", () => {
    expect(isoTime("2026-11-27T10:00:00.123456789Z")).toBe("2026-11-27T10:00:00.123Z");
    expect(isoTime("soon")).toBeNull();
    expect(isoTime("2026-11-27T10:00:00.123Z")).toBe("2026-11-27T10:00:00.123Z");
    // A day the month does not have is made a real one, as PostgreSQL would refuse it.
    expect(isoTime("2026-02-31T00:00:00.000Z")).toBe("2026-03-03T00:00:00.000Z");
  });
});

describe("mergeRows", () => {
  it("keeps a job succeeded when its start is recorded late", () => {
    expect(fold([queued, ev(m.succeeded(1, 2)), ev(m.started(1, 1))])).toMatchObject({ status: "succeeded", attempts: 1, startedAt: at(1), completedAt: at(2), id: "evt-1:ws-1" });
  });

  it("shows a retry as started again, and keeps the failure it recovered from", () => {
    const retrying = [queued, ev(m.started(1, 1)), ev(m.failed(1, 2)), ev(m.started(2, 7))];
    expect(fold(retrying)).toMatchObject({ status: "started", attempts: 2, error: "destination answered 501" });
    expect(fold([...retrying, ev(m.succeeded(2, 8))])).toMatchObject({
      status: "succeeded",
      attempts: 2,
      error: "destination answered 501",
      errorAttempt: 1,
      responseTimeMs: 120,
      startedAt: at(1),
      completedAt: at(8),
    });
  });

  it("dead-letters with the last attempt's error, or the advisory's when none was recorded", () => {
    const deadLetter = advisoryRow(m.advisory("max_deliver", 3, 6.5))!;
    expect(fold([queued, ev(m.failed(1, 2)), ev(m.failed(2, 4)), ev(m.failed(3, 6)), deadLetter])).toMatchObject({
      status: "dead_lettered",
      attempts: 3,
      error: "destination answered 503",
      errorAttempt: 3,
      completedAt: at(6.5),
    });
    expect(fold([deadLetter, queued])).toMatchObject({ status: "dead_lettered", error: "delivered 3 times without an outcome", errorCategory: "unknown", id: "evt-1:ws-1" });
  });

  it("merges a batch into one row per job, in job order", () => {
    const other = jobMessages(7).queued();
    expect(mergeByJob([ev(m.succeeded(1, 2)), other, queued, ev(m.started(1, 1))]).map((r) => [r.jobSeq, r.status])).toEqual([
      [7, "queued"],
      [SEQ, "succeeded"],
    ]);
  });
});

describe("merging is order-independent and idempotent", () => {
  const histories = jobHistories(SEQ);

  it("gives the same row for any order of a job's transitions, duplicates included", () => {
    const orders = histories.chain((rows) => fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length })));
    fc.assert(fc.property(orders, ([rows, shuffled]) => expect(fold(shuffled)).toEqual(fold(rows))));
  });

  it("changes nothing when a row is merged again", () => {
    fc.assert(
      fc.property(histories, (rows) => {
        const row = fold(rows);
        expect(mergeRows(row, row)).toEqual(row);
        for (const r of rows) expect(mergeRows(row, r)).toEqual(row);
      }),
    );
  });
});
