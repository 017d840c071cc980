import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import type { Page } from "./dead-letter.store";

export const AUDIT_ACTIONS = ["replay", "bulk_replay", "resolve", "discard", "event_replay"] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditRecord {
  id: string;
  at: Date;
  /** The name of the token used (`admin`), never the token. */
  actor: string;
  action: AuditAction;
  entryId: string | null;
  operationId: string | null;
  /** `accepted`, `refused`, `dry_run`… */
  outcome: string;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  action?: AuditAction;
  entryId?: string;
}

/** Every operator action on the DLQ, refused ones and dry runs included. */
@Injectable()
export class AuditLog {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(r: Omit<AuditRecord, "id" | "at" | "entryId" | "operationId"> & { entryId?: string; operationId?: string }): Promise<void> {
    await this.db.query(`INSERT INTO dlq_audit_log (actor, action, entry_id, operation_id, outcome, details) VALUES ($1, $2, $3, $4, $5, $6)`, [
      r.actor, r.action, r.entryId ?? null, r.operationId ?? null, r.outcome, JSON.stringify(r.details),
    ]);
  }

  /** Newest first; the cursor is the last id seen. */
  async list(filter: AuditFilter, limit: number, cursor?: string): Promise<Page<AuditRecord>> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, v: unknown) => where.push(sql.replace("?", `$${params.push(v)}`));
    if (filter.action) add("action = ?", filter.action);
    if (filter.entryId) add("entry_id = ?", filter.entryId);
    if (cursor && /^\d+$/.test(cursor)) add("id < ?", cursor);
    const rows: AuditRecord[] = await this.db.query(
      `SELECT id, at, actor, action, entry_id AS "entryId", operation_id AS "operationId", outcome, details
         FROM dlq_audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY id DESC LIMIT $${params.push(limit + 1)}`,
      params,
    );
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items.at(-1)!.id : null };
  }
}
