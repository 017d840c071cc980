import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Indexes for the DLQ manager's retention clean-up: each batch finds its oldest expired rows through one of these,
 * instead of scanning the table. Built CONCURRENTLY (outside a transaction), so an upgrade never blocks writers.
 */
export class RetentionIndexes1764226800000 implements MigrationInterface {
  name = "RetentionIndexes1764226800000";
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS background_jobs_completed ON background_jobs (completed_at) WHERE status IN ('succeeded', 'stale', 'dead_lettered')`);
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS workspace_activity_recorded ON workspace_activity (recorded_at)`);
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS dead_letter_queue_closed ON dead_letter_queue ((coalesce(resolved_at, reprocessed_at, updated_at))) WHERE status IN ('resolved', 'discarded', 'reprocessed')`,
    );
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS routed_events_routed ON routed_events (routed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of ["routed_events_routed", "dead_letter_queue_closed", "workspace_activity_recorded", "background_jobs_completed"]) {
      await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
    }
  }
}
