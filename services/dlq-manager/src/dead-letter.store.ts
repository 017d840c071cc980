import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource, EntityManager } from "typeorm";
import { DeadLetter, type DeadLetterStatus } from "@hookstream/database";
import type { NewDeadLetter } from "./dead-letter.builder";
import { type EntryFilter, entryConditions } from "./dlq.filters";
import { type CountRow, type DlqStats, summarize } from "./dlq.stats";
import { afterFailure, type FailureState } from "./recovery.schedule";

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Cursor = base64url of `<created_at ISO>|<id>`: stable under inserts, unlike an offset. */
const encodeCursor = (d: DeadLetter) => Buffer.from(`${d.createdAt.toISOString()}|${d.id}`).toString("base64url");
function decodeCursor(cursor: string): [string, string] | null {
  const [at, id] = Buffer.from(cursor, "base64url").toString().split("|");
  return at && id && !Number.isNaN(Date.parse(at)) ? [at, id] : null;
}

export type RecordOutcome =
  | { kind: "created"; id: string; state: FailureState }
  /** A replay of an entry's job failed too: its attempts were added to that entry. */
  | { kind: "merged"; id: string; state: FailureState }
  /** This failure was recorded before (the advisory came twice). */
  | { kind: "known" };

/** The statuses from which an entry may still change by itself or by a replay. */
export const OPEN_STATUSES: DeadLetterStatus[] = ["pending", "retrying", "failed"];

export interface ReplayRecord {
  n: number;
  msgId: string;
  trigger: string;
  requestedBy: string;
  requestedAt: Date;
  stream: string;
  streamSeq: string | null;
  outcome: string;
  finishedAt: Date | null;
}

@Injectable()
export class DeadLetterStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * One entry per failed message (unique on stream and sequence) and per job: a replay that fails again adds its
   * attempts to its job's entry, which then waits for its next automatic retry or is failed once they are spent.
   */
  recordFailure(e: NewDeadLetter, delaysMs: number[], now = new Date()): Promise<RecordOutcome> {
    return this.db.transaction(async (m) => {
      if (e.jobId) {
        const [current]: { id: string; retry_count: number; failure_seqs: string[] }[] = await m.query(
          `SELECT id, retry_count, failure_seqs FROM dead_letter_queue WHERE job_id = $1 FOR UPDATE`,
          [e.jobId],
        );
        if (current) return this.merge(m, current, e, delaysMs, now);
      }
      const state = afterFailure(e.errorCategory, 0, delaysMs, now);
      const rows: { id: string }[] = await m.query(
        `INSERT INTO dead_letter_queue (stream, stream_seq, failure_seqs, subject, reason, job_id, job, event_id, source, event_type, workspace_id,
           destination_url, error_category, error_message, delivery_count, attempts, payload, headers, trace_id, first_failed_at, last_failed_at,
           status, next_retry_at, needs_manual_intervention)
         VALUES ($1, $2, ARRAY[$2::bigint], $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
         ON CONFLICT DO NOTHING
         RETURNING id`,
        [
          e.stream, e.streamSeq, e.subject, e.reason, e.jobId, json(e.job), e.eventId, e.source, e.eventType, e.workspaceId,
          e.destinationUrl, e.errorCategory, e.errorMessage, e.deliveryCount, JSON.stringify(e.attempts), json(e.payload),
          JSON.stringify(e.headers), e.traceId, e.firstFailedAt, e.lastFailedAt, state.status, state.nextRetryAt, state.needsManualIntervention,
        ],
      );
      if (rows[0]) return { kind: "created", id: rows[0].id, state };
      const known: unknown[] = await m.query(`SELECT 1 FROM dead_letter_queue WHERE stream = $1 AND stream_seq = $2`, [e.stream, e.streamSeq]);
      if (known.length > 0) return { kind: "known" };
      // Another advisory created this job's entry meanwhile: the retry of this one merges into it.
      throw new Error(`the entry of job ${e.jobId} was created concurrently`);
    });
  }

  private async merge(m: EntityManager, current: { id: string; retry_count: number; failure_seqs: string[] }, e: NewDeadLetter, delaysMs: number[], now: Date): Promise<RecordOutcome> {
    if (current.failure_seqs.includes(String(e.streamSeq))) return { kind: "known" };
    const state = afterFailure(e.errorCategory, current.retry_count, delaysMs, now);
    // A new failure reopens an entry that was reprocessed, resolved or discarded: it needs looking at again.
    await m.query(
      `UPDATE dead_letter_queue SET
         attempts = attempts || $2::jsonb, delivery_count = delivery_count + $3, failure_seqs = failure_seqs || $4::bigint,
         error_category = $5, error_message = $6, first_failed_at = coalesce(first_failed_at, $7), last_failed_at = $8,
         status = $9, next_retry_at = $10, needs_manual_intervention = $11,
         reprocessed_at = NULL, resolved_by = NULL, resolved_at = NULL, resolution_note = NULL, updated_at = now()
       WHERE id = $1`,
      [current.id, JSON.stringify(e.attempts), e.deliveryCount, e.streamSeq, e.errorCategory, e.errorMessage, e.firstFailedAt, e.lastFailedAt,
        state.status, state.nextRetryAt, state.needsManualIntervention],
    );
    await m.query(
      `UPDATE dlq_replays SET outcome = 'dead_lettered', finished_at = now() WHERE entry_id = $1 AND stream = $2 AND stream_seq = $3`,
      [current.id, e.stream, e.streamSeq],
    );
    return { kind: "merged", id: current.id, state };
  }

  /**
   * A replay of `originalJobId` succeeded, or was stale (a newer event was applied already): its entry, if still
   * open, is reprocessed. Returns whether it was.
   */
  markReprocessed(originalJobId: string, stream: string, seq: number, outcome: "succeeded" | "stale"): Promise<boolean> {
    return this.db.transaction(async (m) => {
      // Waits for a replay's claim still committing (it holds the row), so the entry is never left retrying.
      const [rows]: [{ id: string }[], number] = await m.query(
        `UPDATE dead_letter_queue SET status = 'reprocessed', reprocessed_at = now(), next_retry_at = NULL,
           needs_manual_intervention = false, updated_at = now()
         WHERE job_id = $1 AND status = ANY($2::text[]) RETURNING id`,
        [originalJobId, OPEN_STATUSES],
      );
      await m.query(
        `UPDATE dlq_replays r SET outcome = $4, finished_at = now() FROM dead_letter_queue d
          WHERE d.id = r.entry_id AND d.job_id = $1 AND r.stream = $2 AND r.stream_seq = $3 AND r.outcome = 'pending'`,
        [originalJobId, stream, seq, outcome],
      );
      return rows.length > 0;
    });
  }

  async list(filter: EntryFilter, limit: number, cursor?: string): Promise<Page<DeadLetter>> {
    const q = this.db.getRepository(DeadLetter).createQueryBuilder("d");
    for (const c of entryConditions(filter)) q.andWhere(c.sql, c.params);
    const after = cursor ? decodeCursor(cursor) : null;
    if (after) q.andWhere("(d.created_at, d.id) < (:at, :id)", { at: after[0], id: after[1] });
    const rows = await q.orderBy("d.created_at", "DESC").addOrderBy("d.id", "DESC").take(limit + 1).getMany();
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!) : null };
  }

  get(id: string): Promise<DeadLetter | null> {
    return this.db.getRepository(DeadLetter).findOneBy({ id });
  }

  replays(id: string): Promise<ReplayRecord[]> {
    return this.db.query(
      `SELECT n, msg_id AS "msgId", trigger, requested_by AS "requestedBy", requested_at AS "requestedAt", stream, stream_seq AS "streamSeq",
              outcome, finished_at AS "finishedAt"
         FROM dlq_replays WHERE entry_id = $1 ORDER BY n`,
      [id],
    );
  }

  async stats(now = new Date()): Promise<DlqStats> {
    const [rows, [manual], [oldest]] = await Promise.all([
      this.db.query(`SELECT status, error_category AS category, count(*)::int AS n FROM dead_letter_queue GROUP BY 1, 2`) as Promise<CountRow[]>,
      this.db.query(`SELECT count(*)::int AS n FROM dead_letter_queue WHERE needs_manual_intervention AND status = ANY($1::text[])`, [OPEN_STATUSES]) as Promise<{ n: number }[]>,
      this.db.query(`SELECT min(created_at) AS at FROM dead_letter_queue WHERE status = 'pending'`) as Promise<{ at: Date | null }[]>,
    ]);
    return summarize(rows, manual?.n ?? 0, oldest?.at ?? null, now);
  }

  /** An operator's decision; refused (null) unless the entry is still open. */
  async close(id: string, status: "resolved" | "discarded", by: string, note: string): Promise<DeadLetter | null> {
    const [rows]: [{ id: string }[], number] = await this.db.query(
      `UPDATE dead_letter_queue SET status = $2, resolved_by = $3, resolved_at = now(), resolution_note = $4,
         next_retry_at = NULL, needs_manual_intervention = false, updated_at = now()
       WHERE id = $1 AND status = ANY($5::text[]) RETURNING id`,
      [id, status, by, note, OPEN_STATUSES],
    );
    return rows.length > 0 ? this.get(id) : null;
  }

  /** Entries whose automatic retry is due, oldest due first. */
  async due(limit: number, now = new Date()): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM dead_letter_queue
        WHERE status = 'pending' AND next_retry_at <= $1 AND error_category <> 'validation'
        ORDER BY next_retry_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Replayable entries (pending or failed) matching `filter` and created before `asOf`. */
  countReplayable(filter: EntryFilter, asOf: Date): Promise<number> {
    return this.replayable(filter, asOf).getCount();
  }

  /** The next `limit` of them after `after` (oldest first), for a bulk replay walking them in pages. */
  async replayableIds(filter: EntryFilter, asOf: Date, limit: number, after?: { createdAt: Date; id: string }): Promise<{ id: string; createdAt: Date }[]> {
    const q = this.replayable(filter, asOf).select(["d.id", "d.createdAt"]);
    if (after) q.andWhere("(d.created_at, d.id) > (:at, :afterId)", { at: after.createdAt, afterId: after.id });
    const rows = await q.orderBy("d.created_at", "ASC").addOrderBy("d.id", "ASC").take(limit).getMany();
    return rows.map((r) => ({ id: r.id, createdAt: r.createdAt }));
  }

  private replayable(filter: EntryFilter, asOf: Date) {
    const q = this.db.getRepository(DeadLetter).createQueryBuilder("d").where("d.status IN ('pending', 'failed')").andWhere("d.created_at <= :asOf", { asOf });
    for (const c of entryConditions(filter)) q.andWhere(c.sql, c.params);
    return q;
  }
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
