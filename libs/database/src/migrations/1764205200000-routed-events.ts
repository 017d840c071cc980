import type { MigrationInterface, QueryRunner } from "typeorm";

/** One row per routed event: which workspaces it went to, and the key that stops a late replay routing it twice. */
export class RoutedEvents1764205200000 implements MigrationInterface {
  name = "RoutedEvents1764205200000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE routed_events (
        source text NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        resource text,
        stream_seq bigint NOT NULL,
        received_at timestamptz NOT NULL,
        routed_at timestamptz NOT NULL DEFAULT now(),
        job_count integer NOT NULL DEFAULT 0,
        workspaces text[] NOT NULL DEFAULT '{}',
        duration_ms integer,
        PRIMARY KEY (source, event_id)
      )`);
    await q.query(`CREATE INDEX routed_events_received ON routed_events (received_at DESC)`);
    await q.query(`CREATE INDEX routed_events_seq ON routed_events (stream_seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE routed_events`);
  }
}
