import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { type JobRow, mergeByJob } from "./job-row";

/** The columns of a JobRow, as json_to_recordset reads them. */
const RECORD = `x("jobSeq" bigint, "id" text, "workspaceId" text, "eventId" text, "source" text, "eventType" text, "replayOf" text,
  "processingMode" text, "receivedAt" timestamptz, "queuedAt" timestamptz, "status" text, "statusRank" integer,
  "completedAt" timestamptz, "attempts" integer, "error" text, "errorCategory" text, "errorAttempt" integer,
  "responseTimeMs" integer, "outcomeAttempt" integer, "startedAt" timestamptz, "updatedAt" timestamptz)`;

/** Facts: only the JOBS message has them, so the first value known stays. */
const FACTS = ["id", "workspace_id", "event_id", "webhook_source", "webhook_event_type", "replay_of", "processing_mode", "received_at", "created_at"];

/** The value of the transition with the higher version; between equals, the stored one unless it has none. */
const byVersion = (column: string, version: string) =>
  `${column} = CASE WHEN EXCLUDED.${version} > b.${version} THEN EXCLUDED.${column}
                    WHEN EXCLUDED.${version} = b.${version} THEN COALESCE(b.${column}, EXCLUDED.${column})
                    ELSE b.${column} END`;

/** mergeRows (job-row.ts) in SQL: b is the stored row, EXCLUDED the incoming one. */
const UPSERT = `
  INSERT INTO background_jobs AS b (job_seq, id, workspace_id, event_id, webhook_source, webhook_event_type, replay_of, processing_mode,
      received_at, created_at, status, status_rank, completed_at, attempts, error, error_category, error_attempt, response_time_ms,
      outcome_attempt, started_at, updated_at, affected_workspaces)
  SELECT "jobSeq", "id", "workspaceId", "eventId", "source", "eventType", "replayOf", "processingMode", "receivedAt", "queuedAt",
         "status", "statusRank", "completedAt", "attempts", "error", "errorCategory", "errorAttempt", "responseTimeMs",
         "outcomeAttempt", "startedAt", "updatedAt", CASE WHEN "eventId" IS NULL THEN 0 ELSE 1 END
    FROM json_to_recordset($1::json) AS ${RECORD}
   ORDER BY "jobSeq"
  ON CONFLICT (job_seq) DO UPDATE SET
    ${FACTS.map((c) => `${c} = COALESCE(b.${c}, EXCLUDED.${c})`).join(",\n    ")},
    status = CASE WHEN EXCLUDED.status_rank > b.status_rank THEN EXCLUDED.status ELSE b.status END,
    status_rank = GREATEST(b.status_rank, EXCLUDED.status_rank),
    completed_at = CASE WHEN EXCLUDED.status_rank > b.status_rank THEN EXCLUDED.completed_at
                        WHEN EXCLUDED.status_rank = b.status_rank THEN LEAST(b.completed_at, EXCLUDED.completed_at)
                        ELSE b.completed_at END,
    attempts = GREATEST(b.attempts, EXCLUDED.attempts),
    ${byVersion("error", "error_attempt")},
    ${byVersion("error_category", "error_attempt")},
    error_attempt = GREATEST(b.error_attempt, EXCLUDED.error_attempt),
    ${byVersion("response_time_ms", "outcome_attempt")},
    outcome_attempt = GREATEST(b.outcome_attempt, EXCLUDED.outcome_attempt),
    started_at = LEAST(b.started_at, EXCLUDED.started_at),
    updated_at = GREATEST(b.updated_at, EXCLUDED.updated_at),
    affected_workspaces = GREATEST(b.affected_workspaces, EXCLUDED.affected_workspaces)`;

/**
 * Every job of an event carries the number of workspaces the event reached. Recounting all its jobs at each
 * write would rewrite a 10,000-job fan-out about as many times as it has batches, so a write only notes the
 * events whose jobs fall behind (in background_jobs_recount), and recountDue() brings them up to date shortly
 * after. Notes are inserted in key order, so two writers cannot deadlock on them.
 */
const NOTE_RECOUNTS = `
  INSERT INTO background_jobs_recount (webhook_source, event_id)
  SELECT webhook_source, event_id FROM background_jobs WHERE event_id = ANY($1::text[])
   GROUP BY webhook_source, event_id HAVING count(DISTINCT workspace_id) > min(affected_workspaces)
   ORDER BY webhook_source, event_id
  ON CONFLICT DO NOTHING`;

/** Events recounted per transaction: few enough to keep its row locks short. */
const RECOUNT_EVENTS = 100;

/** Up to $1 noted events, each taken by one recount only (SKIP LOCKED). */
const TAKE_NOTED = `
  WITH taken AS (
    DELETE FROM background_jobs_recount
     WHERE (webhook_source, event_id) IN (SELECT webhook_source, event_id FROM background_jobs_recount LIMIT $1 FOR UPDATE SKIP LOCKED)
    RETURNING webhook_source, event_id
  )
  SELECT webhook_source, event_id FROM taken`;

/** The taken events' jobs get their count; rows are locked in job order, like the upsert's, so writers cannot deadlock. */
const RECOUNT = `
  WITH counts AS (
    SELECT webhook_source, event_id, count(DISTINCT workspace_id)::integer AS n
      FROM background_jobs JOIN unnest($1::text[], $2::text[]) AS due(webhook_source, event_id) USING (webhook_source, event_id)
     GROUP BY webhook_source, event_id
  ), behind AS (
    SELECT b.job_seq, c.n FROM background_jobs b JOIN counts c USING (webhook_source, event_id)
     WHERE b.affected_workspaces < c.n ORDER BY b.job_seq FOR UPDATE OF b
  )
  UPDATE background_jobs b SET affected_workspaces = behind.n FROM behind WHERE b.job_seq = behind.job_seq`;

/** background_jobs: writes rows merged with what is stored, whatever the order they come in. */
@Injectable()
export class JobProjectionStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Two statements, not one transaction: a failure between them is repaired by the redelivery that follows it
   * (both are idempotent).
   */
  async write(rows: JobRow[]): Promise<void> {
    if (rows.length === 0) return;
    const merged = mergeByJob(rows);
    await this.db.query(UPSERT, [JSON.stringify(merged)]);
    const events = [...new Set(merged.flatMap((r) => (r.eventId === null ? [] : [r.eventId])))];
    if (events.length > 0) await this.db.query(NOTE_RECOUNTS, [events]);
  }

  /**
   * Brings every noted event's workspace count up to date. Taking the notes and counting are two statements of
   * one transaction: the count's snapshot then holds every job whose writer found its event already noted.
   */
  async recountDue(): Promise<void> {
    for (;;) {
      const taken = await this.db.transaction(async (tx) => {
        const due: { webhook_source: string; event_id: string }[] = await tx.query(TAKE_NOTED, [RECOUNT_EVENTS]);
        if (due.length > 0) await tx.query(RECOUNT, [due.map((d) => d.webhook_source), due.map((d) => d.event_id)]);
        return due.length;
      });
      if (taken < RECOUNT_EVENTS) return;
    }
  }

  /** Empties the projection before a rebuild. */
  async clear(): Promise<void> {
    await this.db.query("TRUNCATE background_jobs, background_jobs_recount");
  }
}
