import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Jobs carry their routing's fan-out count (Job.fanout), so the projector no longer counts an event's jobs again
 * after each write: the table of events waiting for a recount goes.
 */
export class FanoutOnJobs1764230400000 implements MigrationInterface {
  name = "FanoutOnJobs1764230400000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE background_jobs_recount`);
    await q.query(`COMMENT ON COLUMN background_jobs.affected_workspaces IS 'Workspaces the routing that queued the job reached'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE background_jobs_recount (webhook_source text NOT NULL, event_id text NOT NULL, PRIMARY KEY (webhook_source, event_id))`);
  }
}
