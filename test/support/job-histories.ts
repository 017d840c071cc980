import fc from "fast-check";
import type { Job, JobEvent } from "@hookstream/contracts";
import { advisoryRow, jobEventRow, type JobRow, queuedRow } from "../../services/dlq-manager/src/projection/job-row";

const T0 = Date.parse("2026-11-27T10:00:00.000Z");
/** A time `s` seconds after the test's epoch. */
export const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/** One job's messages, as the router, the worker and nats-server would write them. */
export function jobMessages(jobSeq: number, workspaceId = "ws-1", eventId = "evt-1", fanout = 3) {
  const job: Job = {
    jobId: `${eventId}:${workspaceId}`,
    workspaceId,
    subscriptionId: "2f1c7a1e-8d2b-4c43-9a57-1b9c1f3d2e10",
    event: { id: eventId, seq: 7, source: "github", type: "pull_request", resource: "acme/api", receivedAt: at(-1) },
    fanout,
  };
  const ids = { jobId: job.jobId, jobSeq, workspaceId };
  return {
    job,
    queued: () => queuedRow(jobSeq, new Date(T0), job),
    started: (attempt: number, s: number): JobEvent => ({ kind: "started", ...ids, attempt, at: at(s) }),
    failed: (attempt: number, s: number): JobEvent => ({
      kind: "attempt_failed",
      ...ids,
      attempt,
      category: "external_api",
      message: `destination answered 50${attempt}`,
      status: 500,
      at: at(s),
      durationMs: 250,
    }),
    succeeded: (attempt: number, s: number): JobEvent => ({ kind: "succeeded", ...ids, attempt, status: 200, at: at(s), durationMs: 120 }),
    stale: (attempt: number, s: number): JobEvent => ({ kind: "stale", ...ids, attempt, entity: "github/pull_request/1", reason: "newer applied", at: at(s), durationMs: 3 }),
    advisory: (kind: "max_deliver" | "terminated", deliveries: number, s: number, over: object = {}) => ({
      type: `io.nats.jetstream.advisory.v1.${kind}`,
      id: `adv-${jobSeq}`,
      timestamp: at(s),
      stream: "JOBS",
      consumer: "workspace-worker",
      stream_seq: jobSeq,
      deliveries,
      ...over,
    }),
  };
}

/**
 * Every transition of one job, in order: attempts, an outcome, lost `started` events, an outcome told twice (its
 * ack was lost, so the job ran again) and duplicates.
 */
export function jobHistories(jobSeq: number, workspaceId?: string, eventId?: string): fc.Arbitrary<JobRow[]> {
  const m = jobMessages(jobSeq, workspaceId, eventId);
  return fc
    .record({
      attempts: fc.integer({ min: 1, max: 5 }),
      outcome: fc.constantFrom("succeeded", "stale", "max_deliver", "terminated", "open"),
      lostStarts: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
      ackLost: fc.boolean(),
      duplicates: fc.array(fc.nat(), { maxLength: 4 }),
    })
    .map(({ attempts, outcome, lostStarts, ackLost, duplicates }) => {
      const rows: JobRow[] = [m.queued()];
      const add = (e: JobEvent) => rows.push(jobEventRow(e)!);
      for (let n = 1; n <= attempts; n++) {
        if (!lostStarts[n - 1]) add(m.started(n, n * 10));
        const last = n === attempts;
        if (last && outcome === "succeeded") add(m.succeeded(n, n * 10 + 1));
        else if (last && outcome === "stale") add(m.stale(n, n * 10 + 1));
        else add(m.failed(n, n * 10 + 1));
      }
      if (ackLost && outcome === "succeeded") add(m.succeeded(attempts + 1, attempts * 10 + 15));
      if (ackLost && outcome === "stale") add(m.stale(attempts + 1, attempts * 10 + 15));
      if (outcome === "max_deliver" || outcome === "terminated") rows.push(advisoryRow(m.advisory(outcome, attempts, attempts * 10 + 2))!);
      return [...rows, ...duplicates.map((i) => rows[i % rows.length]!)];
    });
}
