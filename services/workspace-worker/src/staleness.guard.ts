import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { MicroBatcher } from "@hookstream/collections";
import type { EntityVersion } from "./entity-version";

export interface AppliedVersion {
  at: Date;
  eventId: string;
}

interface Check {
  workspaceId: string;
  source: string;
  version: EntityVersion;
  newer?: AppliedVersion | null;
}

interface Applied {
  workspaceId: string;
  source: string;
  version: EntityVersion;
  eventId: string;
}

/** Jobs running at once share one query and one upsert (a fan-out's jobs arrive together). */
const BATCH = { maxItems: 500, maxDelayMs: 2 };

const keyOf = (x: { workspaceId: string; source: string; version: EntityVersion }) => `${x.workspaceId}\u0000${x.source}\u0000${x.version.entity}`;

/**
 * The version of each (workspace, source, entity) applied last, in entity_versions. A job is checked before its
 * handlers run and recorded after they all succeeded, so "applied" means applied; the record only moves forward.
 * Each call resolves once its batch's statement did.
 */
@Injectable()
export class StalenessGuard {
  private readonly checks = new MicroBatcher<Check>((c) => this.check(c), BATCH);
  private readonly records = new MicroBatcher<Applied>((a) => this.record(a), BATCH);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The version applied last, when it is newer than `version` (equal times are not stale: same-second events). */
  async newerApplied(workspaceId: string, source: string, version: EntityVersion): Promise<AppliedVersion | null> {
    const check: Check = { workspaceId, source, version };
    await this.checks.add(check);
    return check.newer ?? null;
  }

  applied(workspaceId: string, source: string, version: EntityVersion, eventId: string): Promise<void> {
    return this.records.add({ workspaceId, source, version, eventId });
  }

  private async check(checks: Check[]): Promise<void> {
    const rows: { i: number; version_at: Date; event_id: string }[] = await this.db.query(
      // LATERAL … LIMIT 1: one primary-key probe per job; as a join, the planner scans the whole table instead.
      `SELECT c.i::int AS i, v.version_at, v.event_id
         FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS c(workspace_id, source, entity, version_at, i)
        CROSS JOIN LATERAL (
          SELECT version_at, event_id FROM entity_versions e
           WHERE e.workspace_id = c.workspace_id AND e.source = c.source AND e.entity = c.entity AND e.version_at > c.version_at
           LIMIT 1
        ) v`,
      [checks.map((c) => c.workspaceId), checks.map((c) => c.source), checks.map((c) => c.version.entity), checks.map((c) => c.version.at)],
    );
    for (const r of rows) checks[r.i - 1]!.newer = { at: r.version_at, eventId: r.event_id };
  }

  private async record(applied: Applied[]): Promise<void> {
    // One row per key, the latest version: an upsert may not change the same row twice.
    const latest = new Map<string, Applied>();
    for (const a of applied) {
      const known = latest.get(keyOf(a));
      if (!known || known.version.at <= a.version.at) latest.set(keyOf(a), a);
    }
    const rows = [...latest.values()];
    await this.db.query(
      `INSERT INTO entity_versions AS v (workspace_id, source, entity, version_at, event_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[])
        -- In key order, so that several workers' statements lock the rows they share in one order (no deadlock).
        ORDER BY 1, 2, 3
       ON CONFLICT (workspace_id, source, entity) DO UPDATE
         SET version_at = excluded.version_at, event_id = excluded.event_id, applied_at = now()
         WHERE v.version_at <= excluded.version_at`,
      [rows.map((r) => r.workspaceId), rows.map((r) => r.source), rows.map((r) => r.version.entity), rows.map((r) => r.version.at), rows.map((r) => r.eventId)],
    );
  }
}
