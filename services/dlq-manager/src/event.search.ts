import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { z } from "zod";
import { type EventSummary as EventSummaryOf, type JobView as JobViewOf, WebhookSource } from "@hookstream/contracts";
import type { Page } from "./dead-letter.store";

const instant = z.iso.datetime({ offset: true });
const text = z.string().trim().min(1).max(512);

/** What the console's event search asks for; every field narrows it. */
export const EventQuery = z
  .object({
    eventId: text.optional(),
    source: WebhookSource.optional(),
    eventType: text.optional(),
    resource: text.optional(),
    workspaceId: text.optional(),
    /** Received at or after. */
    since: instant.optional(),
    /** Received before. */
    until: instant.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The last stream sequence seen: the page continues below it. */
    cursor: z.string().regex(/^\d{1,19}$/).optional(),
  })
  .refine((q) => !q.since || !q.until || Date.parse(q.since) < Date.parse(q.until), { message: "since must come before until", path: ["until"] });
export type EventQuery = z.infer<typeof EventQuery>;

/** Rows as pg returns them; the answers' JSON turns their timestamps into ISO strings. */
type EventSummary = EventSummaryOf<Date>;
type JobView = JobViewOf<Date>;

/**
 * An event's outcome from its original jobs in the projection: a job the projection has not seen yet counts as in
 * flight, and a dead-lettered one whose replay succeeded as delivered.
 */
export const OUTCOME_SQL = `
  CASE WHEN r.job_count = 0 THEN 'no_subscribers'
       WHEN j.dead_lettered > 0 THEN 'dead_lettered'
       WHEN j.open > 0 OR coalesce(j.jobs, 0) < r.job_count THEN 'in_flight'
       ELSE 'delivered' END`;
export const JOBS_OF_EVENT = `
  LEFT JOIN LATERAL (
    SELECT count(*) AS jobs,
           count(*) FILTER (WHERE status = 'dead_lettered' AND NOT EXISTS (
             SELECT 1 FROM background_jobs rp WHERE rp.event_id = b.event_id AND rp.replay_of = b.id AND rp.status = 'succeeded'
           )) AS dead_lettered,
           count(*) FILTER (WHERE status IN ('queued', 'started', 'failed')) AS open
      FROM background_jobs b
     WHERE b.event_id = r.event_id AND b.webhook_source = r.source AND b.replay_of IS NULL
  ) j ON true`;
const SUMMARY_COLUMNS = `r.stream_seq AS seq, r.event_id AS "eventId", r.source, r.event_type AS "eventType", r.resource,
  r.received_at AS "receivedAt", r.routed_at AS "routedAt", r.workspaces, r.job_count AS "jobCount", ${OUTCOME_SQL} AS outcome`;

/** Routed events (`routed_events`, newest first) and their jobs (`background_jobs`), for the console. */
@Injectable()
export class EventSearch {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async search(q: EventQuery): Promise<Page<EventSummary>> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: (p: string) => string, v: unknown) => where.push(sql(`$${params.push(v)}`));
    if (q.eventId) add((p) => `r.event_id = ${p}`, q.eventId);
    if (q.source) add((p) => `r.source = ${p}`, q.source);
    if (q.eventType) add((p) => `r.event_type = ${p}`, q.eventType);
    if (q.resource) add((p) => `r.resource = ${p}`, q.resource);
    if (q.workspaceId) add((p) => `r.workspaces @> ARRAY[${p}]::text[]`, q.workspaceId);
    if (q.since) add((p) => `r.received_at >= ${p}`, q.since);
    if (q.until) add((p) => `r.received_at < ${p}`, q.until);
    if (q.cursor) add((p) => `r.stream_seq < ${p}`, q.cursor);
    const rows: EventSummary[] = await this.db.query(
      `SELECT ${SUMMARY_COLUMNS} FROM routed_events r ${JOBS_OF_EVENT}
        ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY r.stream_seq DESC LIMIT $${params.push(q.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, q.limit).map(withNumbers);
    return { items, nextCursor: rows.length > q.limit ? String(items.at(-1)!.seq) : null };
  }

  async bySeq(seq: number): Promise<EventSummary | null> {
    const rows: EventSummary[] = await this.db.query(`SELECT ${SUMMARY_COLUMNS} FROM routed_events r ${JOBS_OF_EVENT} WHERE r.stream_seq = $1`, [seq]);
    return rows[0] ? withNumbers(rows[0]) : null;
  }

  /** The event's jobs, replays included, oldest first; at most `limit` (a fan-out may reach thousands). */
  jobs(source: string, eventId: string, limit: number): Promise<JobView[]> {
    return this.db.query(
      `SELECT job_seq::int AS "jobSeq", id, workspace_id AS "workspaceId", status, attempts, error, error_category AS "errorCategory",
              replay_of AS "replayOf", response_time_ms AS "responseTimeMs", created_at AS "createdAt", completed_at AS "completedAt"
         FROM background_jobs WHERE event_id = $1 AND webhook_source = $2 ORDER BY job_seq LIMIT $3`,
      [eventId, source, limit],
    );
  }

  /** The dead-letter entries of the event's jobs. */
  deadLetters(source: string, eventId: string): Promise<{ id: string; jobId: string | null; workspaceId: string | null; status: string }[]> {
    return this.db.query(
      `SELECT id, job_id AS "jobId", workspace_id AS "workspaceId", status FROM dead_letter_queue
        WHERE event_id = $1 AND source = $2 ORDER BY created_at`,
      [eventId, source],
    );
  }
}

/** bigint columns come back from pg as strings. */
const withNumbers = (r: EventSummary): EventSummary => ({ ...r, seq: Number(r.seq) });
