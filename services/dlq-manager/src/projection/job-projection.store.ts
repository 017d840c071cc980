import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { type JobRow, mergeByJob } from "./job-row";

/** The columns of a JobRow, as json_to_recordset reads them. */
const RECORD = `x("jobSeq" bigint, "id" text, "workspaceId" text, "eventId" text, "source" text, "eventType" text, "replayOf" text,
  "processingMode" text, "receivedAt" timestamptz, "queuedAt" timestamptz, "status" text, "statusRank" integer,
  "completedAt" timestamptz, "attempts" integer, "error" text, "errorCategory" text, "errorAttempt" integer,
  "responseTimeMs" integer, "outcomeAttempt" integer, "startedAt" timestamptz, "updatedAt" timestamptz, "affectedWorkspaces" integer)`;

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
         "outcomeAttempt", "startedAt", "updatedAt", "affectedWorkspaces"
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

/** background_jobs: writes rows merged with what is stored, whatever the order they come in. */
@Injectable()
export class JobProjectionStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async write(rows: JobRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(UPSERT, [JSON.stringify(mergeByJob(rows))]);
  }

  /** Empties the projection before a rebuild. */
  async clear(): Promise<void> {
    await this.db.query("TRUNCATE background_jobs");
  }
}
