import { CONSUMERS, DeliveryAdvisory, type ErrorCategory, Job, JobEvent, type ProcessingMode, processingModeOf, STREAMS } from "@hookstream/contracts";

export const JOB_STATUSES = ["queued", "started", "failed", "succeeded", "stale", "dead_lettered"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * What one transition says about one job (a JOBS message, keyed by its stream sequence). Facts about the job
 * come from its JOBS message only; transitions add state. Each piece of state carries the version that orders
 * it (status rank, attempt numbers), so rows merge to the same result in any order, any number of times.
 */
export interface JobRow {
  jobSeq: number;
  id: string | null;
  workspaceId: string | null;
  eventId: string | null;
  source: string | null;
  eventType: string | null;
  replayOf: string | null;
  processingMode: ProcessingMode | null;
  receivedAt: string | null;
  queuedAt: string | null;
  status: JobStatus;
  statusRank: number;
  /** When the job reached its final status. */
  completedAt: string | null;
  attempts: number;
  error: string | null;
  errorCategory: ErrorCategory | null;
  /** The attempt whose failure `error` describes; 0 for what the advisory alone tells. */
  errorAttempt: number;
  /** How long the latest attempt with an outcome took. */
  responseTimeMs: number | null;
  outcomeAttempt: number;
  /** When the first attempt began. */
  startedAt: string | null;
  updatedAt: string | null;
  /** Workspaces the job's routing reached (a fact of the JOBS message); 0 where a transition does not say. */
  affectedWorkspaces: number;
}

/** Past this, attempt numbers (and so ranks) stop growing: a real schedule has a handful of deliveries. */
const MAX_ATTEMPT = 10_000_000;
const INT_MAX = 2 ** 31 - 1;
/** Final statuses outrank every attempt; between them, the one that says most about the workspace wins. */
const FINAL = 1_000_000_000;
const FINAL_RANK: Record<"dead_lettered" | "stale" | "succeeded", number> = { dead_lettered: FINAL + 1, stale: FINAL + 2, succeeded: FINAL + 3 };

/**
 * Orders transitions by meaning, not arrival: queued, then per attempt started before failed, a later attempt
 * after an earlier one, and any final status after all of those. A `started` published late therefore never
 * hides a `succeeded`, and a retry's `started` does replace the previous attempt's `failed`.
 */
export function statusRank(status: JobStatus, attempt: number): number {
  switch (status) {
    case "queued":
      return 0;
    case "started":
      return attempt * 10 + 1;
    case "failed":
      return attempt * 10 + 2;
    default:
      return FINAL_RANK[status];
  }
}

const clampInt = (n: number, max = INT_MAX) => Math.min(Math.max(0, Math.round(n)), max);

/** PostgreSQL text (and jsonb) refuse NUL and lone surrogates; anything else is kept as sent. */
const text = (s: string) => s.replace(/\p{Cs}/gu, "\uFFFD").replaceAll("\u0000", "");

/** What toISOString makes of a date in years 1000-9999; days past the 28th take the slow path (no 31 February). */
const CANONICAL_ISO = /^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** Normalized ISO time, so rows compare the same in TypeScript and PostgreSQL; null for what is not a time. */
export function isoTime(value: string | Date): string | null {
  // Hookstream's own times are already in this form (toISOString); parsing them again was a hot spot.
  if (typeof value === "string" && CANONICAL_ISO.test(value)) return value;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  return year >= 1 && year <= 9999 ? new Date(ms).toISOString() : null;
}

const shift = (iso: string | null, ms: number) => (iso === null ? null : isoTime(new Date(Date.parse(iso) - ms)));

function blank(jobSeq: number, status: JobStatus, attempt: number): JobRow {
  return {
    jobSeq,
    id: null,
    workspaceId: null,
    eventId: null,
    source: null,
    eventType: null,
    replayOf: null,
    processingMode: null,
    receivedAt: null,
    queuedAt: null,
    status,
    statusRank: statusRank(status, attempt),
    completedAt: null,
    attempts: attempt,
    error: null,
    errorCategory: null,
    errorAttempt: 0,
    responseTimeMs: null,
    outcomeAttempt: 0,
    startedAt: null,
    updatedAt: null,
    affectedWorkspaces: 0,
  };
}

/** A JOBS message: the job's "queued" transition and every fact about it. Not a job envelope: a row still. */
export function queuedRow(jobSeq: number, storedAt: Date, data: unknown): JobRow {
  const queuedAt = isoTime(storedAt);
  const row: JobRow = { ...blank(jobSeq, "queued", 0), queuedAt, updatedAt: queuedAt };
  const job = Job.safeParse(data);
  // The worker names a message it cannot read the same way.
  if (!job.success) return { ...row, id: `#${jobSeq}` };
  const { jobId, workspaceId, replayOf, event, fanout } = job.data;
  return {
    ...row,
    id: text(jobId),
    workspaceId: text(workspaceId),
    eventId: text(event.id),
    source: event.source,
    eventType: text(event.type),
    replayOf: replayOf === undefined ? null : text(replayOf),
    processingMode: processingModeOf(replayOf),
    receivedAt: isoTime(event.receivedAt),
    // A job queued before jobs carried their fan-out counts itself.
    affectedWorkspaces: Math.min(fanout ?? 1, INT_MAX),
  };
}

/** A JOB_EVENTS message; null for anything that is not a job event. */
export function jobEventRow(data: unknown): JobRow | null {
  const parsed = JobEvent.safeParse(data);
  if (!parsed.success) return null;
  const e = parsed.data;
  const attempt = Math.min(e.attempt, MAX_ATTEMPT);
  const at = isoTime(e.at);
  if (e.kind === "started") return { ...blank(e.jobSeq, "started", attempt), startedAt: at, updatedAt: at };
  const status = e.kind === "attempt_failed" ? "failed" : e.kind;
  const outcome: JobRow = {
    ...blank(e.jobSeq, status, attempt),
    completedAt: status === "failed" ? null : at,
    responseTimeMs: clampInt(e.durationMs),
    outcomeAttempt: attempt,
    startedAt: shift(at, e.durationMs),
    updatedAt: at,
  };
  if (e.kind !== "attempt_failed") return outcome;
  return { ...outcome, error: text(e.message), errorCategory: e.category, errorAttempt: attempt };
}

/**
 * An advisory on ADVISORIES: a JOBS message the workers' consumer gave up on (max deliveries, or terminated)
 * is dead-lettered. Null for anything else, and for terminations without a delivery (limits, not failures).
 */
export function advisoryRow(data: unknown): JobRow | null {
  const parsed = DeliveryAdvisory.safeParse(data);
  if (!parsed.success) return null;
  const a = parsed.data;
  if (a.stream !== STREAMS.jobs || a.consumer !== CONSUMERS.workspaceWorker || a.deliveries === 0 || a.stream_seq === 0) return null;
  const at = isoTime(a.timestamp);
  const attempts = Math.min(a.deliveries, MAX_ATTEMPT);
  const maxDeliveries = a.type.endsWith("max_deliver");
  // Only used when no failed attempt was recorded (the worker died on every delivery, or its record was lost).
  const error = maxDeliveries ? `delivered ${attempts} times without an outcome` : (a.reason || `terminated on delivery ${attempts}`);
  return { ...blank(a.stream_seq, "dead_lettered", attempts), completedAt: at, error: text(error), errorCategory: "unknown", updatedAt: at };
}

const least = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b);
const greatest = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

/**
 * Two rows about the same job as one; the upsert in job-projection.store.ts applies the same rules in SQL.
 * Facts: the first known value (only the JOBS message has them). Status: the higher rank, with the earliest
 * completion among equals. Error: the latest failed attempt's. Response time: the latest outcome's.
 */
export function mergeRows(a: JobRow, b: JobRow): JobRow {
  const byStatus = b.statusRank > a.statusRank ? b : a;
  const byError = b.errorAttempt > a.errorAttempt || (b.errorAttempt === a.errorAttempt && a.error === null) ? b : a;
  const byOutcome = b.outcomeAttempt > a.outcomeAttempt || (b.outcomeAttempt === a.outcomeAttempt && a.responseTimeMs === null) ? b : a;
  return {
    jobSeq: a.jobSeq,
    id: a.id ?? b.id,
    workspaceId: a.workspaceId ?? b.workspaceId,
    eventId: a.eventId ?? b.eventId,
    source: a.source ?? b.source,
    eventType: a.eventType ?? b.eventType,
    replayOf: a.replayOf ?? b.replayOf,
    processingMode: a.processingMode ?? b.processingMode,
    receivedAt: a.receivedAt ?? b.receivedAt,
    queuedAt: a.queuedAt ?? b.queuedAt,
    status: byStatus.status,
    statusRank: byStatus.statusRank,
    completedAt: a.statusRank === b.statusRank ? least(a.completedAt, b.completedAt) : byStatus.completedAt,
    attempts: Math.max(a.attempts, b.attempts),
    error: byError.error,
    errorCategory: byError.errorCategory,
    errorAttempt: byError.errorAttempt,
    responseTimeMs: byOutcome.responseTimeMs,
    outcomeAttempt: byOutcome.outcomeAttempt,
    startedAt: least(a.startedAt, b.startedAt),
    updatedAt: greatest(a.updatedAt, b.updatedAt),
    affectedWorkspaces: Math.max(a.affectedWorkspaces, b.affectedWorkspaces),
  };
}

/** One row per job, in job order (so concurrent writers lock rows in the same order). */
export function mergeByJob(rows: JobRow[]): JobRow[] {
  const byJob = new Map<number, JobRow>();
  for (const row of rows) {
    const seen = byJob.get(row.jobSeq);
    byJob.set(row.jobSeq, seen ? mergeRows(seen, row) : row);
  }
  return [...byJob.values()].sort((x, y) => x.jobSeq - y.jobSeq);
}
