import type { DeadLetterStatus } from "@hookstream/database";

/** Ages past which rows are deleted, in milliseconds; 0 keeps a table's rows forever. */
export interface RetentionAges {
  completedJobsMs: number;
  activityMs: number;
  closedDeadLettersMs: number;
  auditLogMs: number;
  routedEventsMs: number;
}

/** Every table the clean-up trims, in the order of a run. */
export const RETENTION_TABLES = ["background_jobs", "workspace_activity", "dead_letter_queue", "dlq_operations", "dlq_processing_log", "dlq_audit_log", "routed_events"] as const;
export type RetentionTable = (typeof RETENTION_TABLES)[number];

/** One table's clean-up: rows matching `where` (`$1` is the cutoff) are deleted, oldest first, in batches. */
export interface RetentionTarget {
  table: RetentionTable;
  cutoff: Date;
  where: string;
}

/** Entries an operator or a replay closed; every other status may still be acted on, whatever its age. */
export const CLOSED_DEAD_LETTER_STATUSES = ["resolved", "discarded", "reprocessed"] as const satisfies readonly DeadLetterStatus[];
const OPEN_DEAD_LETTER_STATUSES = ["pending", "retrying", "failed"] as const satisfies readonly DeadLetterStatus[];
const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(", ");

/**
 * The tables to trim this run and from when. Only finished things go: queued, started or failed jobs, and
 * pending, retrying or failed dead letters stay however old they are.
 *
 * `webhooksMaxAgeMs` is what the WEBHOOKS stream keeps, read from the server (null when it could not be read, 0 when
 * unlimited). routed_events is the router's dedupe guard: an event id found there is refused, so an event stored
 * again (a provider retrying days later, a redelivery) is never fanned out twice. The guard must live at least as
 * long as the stream can still hand the event out, so its age is never below the stream's max age, and the table
 * is left alone when that age is unknown or unlimited.
 */
export function retentionTargets(ages: RetentionAges, now: Date, webhooksMaxAgeMs: number | null): RetentionTarget[] {
  const routedEventsMs = webhooksMaxAgeMs === null || webhooksMaxAgeMs === 0 || ages.routedEventsMs === 0 ? 0 : Math.max(ages.routedEventsMs, webhooksMaxAgeMs);
  const targets: [table: RetentionTable, ageMs: number, where: string][] = [
    [
      "background_jobs",
      ages.completedJobsMs,
      // A dead-lettered job stays while its entry is open: the entry's page shows the job.
      `completed_at < $1 AND (status IN ('succeeded', 'stale') OR (status = 'dead_lettered' AND NOT EXISTS (
         SELECT 1 FROM dead_letter_queue d WHERE d.job_id = background_jobs.id AND d.status IN (${list(OPEN_DEAD_LETTER_STATUSES)}))))`,
    ],
    // One row per (event, workspace): it also stops a redelivered job counting twice in workspace_activity_daily,
    // which is kept (one row per workspace and day).
    ["workspace_activity", ages.activityMs, `recorded_at < $1`],
    // Their dlq_replays rows go with them (ON DELETE CASCADE); the audit log keeps what was done to them.
    ["dead_letter_queue", ages.closedDeadLettersMs, `status IN (${list(CLOSED_DEAD_LETTER_STATUSES)}) AND coalesce(resolved_at, reprocessed_at, updated_at) < $1`],
    ["dlq_operations", ages.closedDeadLettersMs, `status <> 'running' AND coalesce(finished_at, updated_at) < $1`],
    ["dlq_processing_log", ages.closedDeadLettersMs, `started_at < $1`],
    ["dlq_audit_log", ages.auditLogMs, `at < $1`],
    // routed_at comes after the stream stored the event: once it is past the stream's max age, so is the event.
    ["routed_events", routedEventsMs, `routed_at < $1`],
  ];
  return targets.filter(([, ageMs]) => ageMs > 0).map(([table, ageMs, where]) => ({ table, cutoff: new Date(now.getTime() - ageMs), where }));
}

/**
 * One bounded batch: at most `$2` rows, locked by this statement alone (rows another transaction holds are skipped
 * until the next batch or run), deleted by their physical address. Autocommitted, so no lock outlives it.
 */
export function batchDeleteSql(target: Pick<RetentionTarget, "table" | "where">): string {
  return `DELETE FROM ${target.table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${target.table} WHERE ${target.where} LIMIT $2 FOR UPDATE SKIP LOCKED))`;
}

/** Another batch is worth running only when the last one was full (more may be left) and the run's budget allows. */
export function moreBatches(lastDeleted: number, batchSize: number, batchesRun: number, maxBatches: number): boolean {
  return lastDeleted >= batchSize && batchesRun < maxBatches;
}
