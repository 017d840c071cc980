import type { MigrationInterface, QueryRunner } from "typeorm";

export class Foundation1764201600000 implements MigrationInterface {
  name = "Foundation1764201600000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id text NOT NULL,
        source text NOT NULL,
        resource text NOT NULL,
        destination_url text,
        destination_secret text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subscriptions_workspace_source_resource UNIQUE (workspace_id, source, resource)
      )`);
    await q.query(`CREATE INDEX subscriptions_source_resource ON subscriptions (source, resource)`);
    await q.query(`
      CREATE TABLE workspace_activity (
        event_id text NOT NULL,
        workspace_id text NOT NULL,
        job_id text NOT NULL,
        source text NOT NULL,
        event_type text NOT NULL,
        resource text,
        received_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, workspace_id)
      )`);
    await q.query(`CREATE INDEX workspace_activity_workspace_time ON workspace_activity (workspace_id, received_at DESC)`);
    await q.query(`
      CREATE TABLE dead_letter_queue (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        stream text NOT NULL,
        stream_seq bigint NOT NULL,
        subject text NOT NULL,
        reason text NOT NULL,
        job_id text,
        event_id text,
        source text,
        event_type text,
        workspace_id text,
        destination_url text,
        error_category text NOT NULL,
        error_message text,
        delivery_count integer NOT NULL,
        attempts jsonb NOT NULL DEFAULT '[]',
        payload jsonb,
        headers jsonb NOT NULL DEFAULT '{}',
        trace_id text,
        status text NOT NULL DEFAULT 'pending',
        first_failed_at timestamptz,
        last_failed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT dead_letter_queue_stream_seq UNIQUE (stream, stream_seq)
      )`);
    await q.query(`CREATE INDEX dead_letter_queue_status ON dead_letter_queue (status)`);
    await q.query(`CREATE INDEX dead_letter_queue_workspace ON dead_letter_queue (workspace_id)`);
    await q.query(`CREATE INDEX dead_letter_queue_source ON dead_letter_queue (source)`);
    await q.query(`CREATE INDEX dead_letter_queue_created ON dead_letter_queue (created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letter_queue`);
    await q.query(`DROP TABLE workspace_activity`);
    await q.query(`DROP TABLE subscriptions`);
  }
}
