import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { DeadLetter } from "@hookstream/database";
import type { NewDeadLetter } from "./dead-letter.builder";

export interface DeadLetterFilter {
  status?: string;
  category?: string;
  source?: string;
  eventType?: string;
  workspaceId?: string;
  since?: string;
  until?: string;
}

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

@Injectable()
export class DeadLetterStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One entry per (stream, sequence): an advisory handled twice adds nothing. Returns whether it was new. */
  async insert(e: NewDeadLetter): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO dead_letter_queue (stream, stream_seq, subject, reason, job_id, event_id, source, event_type, workspace_id,
         destination_url, error_category, error_message, delivery_count, attempts, payload, headers, trace_id, first_failed_at, last_failed_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)
       ON CONFLICT (stream, stream_seq) DO NOTHING
       RETURNING id`,
      [
        e.stream, e.streamSeq, e.subject, e.reason, e.jobId, e.eventId, e.source, e.eventType, e.workspaceId,
        e.destinationUrl, e.errorCategory, e.errorMessage, e.deliveryCount, JSON.stringify(e.attempts),
        e.payload === null || e.payload === undefined ? null : JSON.stringify(e.payload), JSON.stringify(e.headers),
        e.traceId, e.firstFailedAt, e.lastFailedAt,
      ],
    );
    return rows.length > 0;
  }

  async list(filter: DeadLetterFilter, limit: number, cursor?: string): Promise<Page<DeadLetter>> {
    const q = this.db.getRepository(DeadLetter).createQueryBuilder("d");
    if (filter.status) q.andWhere("d.status = :status", { status: filter.status });
    if (filter.category) q.andWhere("d.error_category = :category", { category: filter.category });
    if (filter.source) q.andWhere("d.source = :source", { source: filter.source });
    if (filter.eventType) q.andWhere("d.event_type = :eventType", { eventType: filter.eventType });
    if (filter.workspaceId) q.andWhere("d.workspace_id = :workspaceId", { workspaceId: filter.workspaceId });
    if (filter.since) q.andWhere("d.created_at >= :since", { since: filter.since });
    if (filter.until) q.andWhere("d.created_at < :until", { until: filter.until });
    const after = cursor ? decodeCursor(cursor) : null;
    if (after) q.andWhere("(d.created_at, d.id) < (:at, :id)", { at: after[0], id: after[1] });
    const rows = await q.orderBy("d.created_at", "DESC").addOrderBy("d.id", "DESC").take(limit + 1).getMany();
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!) : null };
  }

  get(id: string): Promise<DeadLetter | null> {
    return this.db.getRepository(DeadLetter).findOneBy({ id });
  }
}
