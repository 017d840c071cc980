import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import type { EntityVersion } from "./entity-version";

export interface AppliedVersion {
  at: Date;
  eventId: string;
}

/**
 * The version of each (workspace, source, entity) applied last, in entity_versions. A job is checked before its
 * handlers run and recorded after they all succeeded, so "applied" means applied; the record only moves forward.
 */
@Injectable()
export class StalenessGuard {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The version applied last, when it is newer than `version` (equal times are not stale: same-second events). */
  async newerApplied(workspaceId: string, source: string, version: EntityVersion): Promise<AppliedVersion | null> {
    const rows: { version_at: Date; event_id: string }[] = await this.db.query(
      `SELECT version_at, event_id FROM entity_versions
        WHERE workspace_id = $1 AND source = $2 AND entity = $3 AND version_at > $4`,
      [workspaceId, source, version.entity, version.at],
    );
    const row = rows[0];
    return row ? { at: row.version_at, eventId: row.event_id } : null;
  }

  async applied(workspaceId: string, source: string, version: EntityVersion, eventId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO entity_versions AS v (workspace_id, source, entity, version_at, event_id)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (workspace_id, source, entity) DO UPDATE
         SET version_at = excluded.version_at, event_id = excluded.event_id, applied_at = now()
         WHERE v.version_at <= excluded.version_at`,
      [workspaceId, source, version.entity, version.at, eventId],
    );
  }
}
