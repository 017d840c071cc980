import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Worker state: the version of each entity applied last per workspace (stale jobs are skipped), and workspace
 * activity counted per workspace, day, source, repository and event type.
 */
export class WorkerState1764223200000 implements MigrationInterface {
  name = "WorkerState1764223200000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE entity_versions (
        workspace_id text NOT NULL,
        source text NOT NULL,
        -- Unique within the source, e.g. pull_request/42 (GitHub) or in_1Nx… (a Stripe object).
        entity text NOT NULL,
        version_at timestamptz NOT NULL,
        event_id text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, source, entity)
      )`);
    await q.query(`
      CREATE TABLE workspace_activity_daily (
        workspace_id text NOT NULL,
        day date NOT NULL,
        source text NOT NULL,
        -- '' when the event names no resource: a primary key column cannot be null.
        resource text NOT NULL,
        event_type text NOT NULL,
        event_count integer NOT NULL,
        first_received_at timestamptz NOT NULL,
        last_received_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, day, source, resource, event_type)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE workspace_activity_daily`);
    await q.query(`DROP TABLE entity_versions`);
  }
}
