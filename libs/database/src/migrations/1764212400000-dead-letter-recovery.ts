import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Dead-letter recovery: entry state for automatic retries and operator decisions, one row per replay, the audit
 * log, bulk operations, the recovery runs' log, and the SQL operators use directly (a view and a function).
 */
export class DeadLetterRecovery1764212400000 implements MigrationInterface {
  name = "DeadLetterRecovery1764212400000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE dead_letter_queue
        -- NULL for an entry moved in by hand (move_to_dead_letter_queue): no advisory named a message.
        ALTER COLUMN stream_seq DROP NOT NULL,
        -- Milliseconds, as JavaScript dates carry: a (created_at, id) cursor then names exactly the row it came from.
        ALTER COLUMN created_at TYPE timestamptz(3),
        ADD COLUMN job jsonb,
        ADD COLUMN failure_seqs bigint[] NOT NULL DEFAULT '{}',
        ADD COLUMN retry_count integer NOT NULL DEFAULT 0,
        ADD COLUMN replay_count integer NOT NULL DEFAULT 0,
        ADD COLUMN next_retry_at timestamptz,
        ADD COLUMN needs_manual_intervention boolean NOT NULL DEFAULT false,
        ADD COLUMN reprocessed_at timestamptz,
        ADD COLUMN resolved_by text,
        ADD COLUMN resolved_at timestamptz,
        ADD COLUMN resolution_note text,
        ADD CONSTRAINT dead_letter_queue_status_valid CHECK (status IN ('pending', 'retrying', 'reprocessed', 'resolved', 'discarded', 'failed')),
        ADD CONSTRAINT dead_letter_queue_category_valid CHECK (error_category IN ('timeout', 'validation', 'external_api', 'rate_limit', 'unknown'))`);
    await q.query(`UPDATE dead_letter_queue SET failure_seqs = ARRAY[stream_seq]`);
    // One entry per job: a replay that fails again adds to it.
    await q.query(`CREATE UNIQUE INDEX dead_letter_queue_job ON dead_letter_queue (job_id) WHERE job_id IS NOT NULL`);
    await q.query(`CREATE INDEX dead_letter_queue_next_retry ON dead_letter_queue (next_retry_at) WHERE status = 'pending' AND next_retry_at IS NOT NULL`);
    await q.query(`CREATE INDEX dead_letter_queue_category ON dead_letter_queue (error_category, status)`);
    // Replays for one workspace.
    await q.query(`CREATE INDEX routed_events_workspaces ON routed_events USING gin (workspaces)`);

    await q.query(`
      CREATE TABLE dlq_replays (
        entry_id uuid NOT NULL REFERENCES dead_letter_queue (id) ON DELETE CASCADE,
        n integer NOT NULL,
        msg_id text NOT NULL,
        trigger text NOT NULL CHECK (trigger IN ('automatic', 'manual', 'bulk')),
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        stream text NOT NULL,
        stream_seq bigint,
        outcome text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'succeeded', 'stale', 'dead_lettered', 'handed_over')),
        finished_at timestamptz,
        PRIMARY KEY (entry_id, n)
      )`);
    await q.query(`CREATE INDEX dlq_replays_seq ON dlq_replays (stream, stream_seq)`);

    await q.query(`
      CREATE TABLE dlq_audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL,
        entry_id uuid,
        operation_id uuid,
        outcome text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX dlq_audit_log_at ON dlq_audit_log (at DESC, id DESC)`);
    await q.query(`CREATE INDEX dlq_audit_log_entry ON dlq_audit_log (entry_id) WHERE entry_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE dlq_operations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('dlq_replay', 'event_replay')),
        requested_by text NOT NULL,
        filter jsonb NOT NULL,
        rate integer NOT NULL,
        status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'interrupted')),
        total integer NOT NULL,
        done integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX dlq_operations_running ON dlq_operations (updated_at) WHERE status = 'running'`);

    await q.query(`
      CREATE TABLE dlq_processing_log (
        id bigserial PRIMARY KEY,
        instance text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT now(),
        due integer NOT NULL,
        replayed integer NOT NULL,
        skipped integer NOT NULL,
        errors integer NOT NULL,
        error text
      )`);
    await q.query(`CREATE INDEX dlq_processing_log_started ON dlq_processing_log (started_at DESC)`);

    // What an operator should look at first: open entries no automatic step will fix, or open for over a day.
    await q.query(`
      CREATE VIEW critical_failures AS
        SELECT id, workspace_id, source, event_type, error_category, error_message, status, needs_manual_intervention,
               delivery_count, retry_count, first_failed_at, last_failed_at, created_at, now() - created_at AS age
          FROM dead_letter_queue
         WHERE status IN ('pending', 'retrying', 'failed')
           AND (needs_manual_intervention OR created_at < now() - interval '1 day')
         ORDER BY created_at`);

    // For a job stuck outside the normal path (no advisory will ever come): builds its entry from the routing
    // record and the workspace's subscription, so it can be inspected and replayed like any other.
    await q.query(`
      CREATE FUNCTION move_to_dead_letter_queue(p_job_id text) RETURNS uuid
      LANGUAGE plpgsql AS $$
      DECLARE
        existing uuid;
        ev_source text;
        ev_id text;
        ev_type text;
        ev_resource text;
        ev_seq bigint;
        ev_received timestamptz;
        ws text;
        sub_id uuid;
        dest text;
        created uuid;
      BEGIN
        SELECT id INTO existing FROM dead_letter_queue WHERE job_id = p_job_id;
        IF existing IS NOT NULL THEN
          RETURN existing;
        END IF;
        -- A job id is <event id>:<workspace id>; either part may contain ':', so try every split the routing record allows.
        SELECT r.source, r.event_id, r.event_type, r.resource, r.stream_seq, r.received_at, substr(p_job_id, length(r.event_id) + 2)
          INTO ev_source, ev_id, ev_type, ev_resource, ev_seq, ev_received, ws
          FROM routed_events r
         WHERE r.event_id IN (SELECT left(p_job_id, i - 1) FROM generate_series(2, length(p_job_id)) i WHERE substr(p_job_id, i, 1) = ':')
           AND substr(p_job_id, length(r.event_id) + 2) = ANY (r.workspaces)
         ORDER BY r.routed_at DESC
         LIMIT 1;
        IF ws IS NULL THEN
          RAISE EXCEPTION 'job % is not in routed_events: no event was routed to that workspace', p_job_id;
        END IF;
        SELECT s.id, s.destination_url INTO sub_id, dest
          FROM subscriptions s
         WHERE s.workspace_id = ws AND s.source = ev_source
           AND (s.resource = ev_resource OR s.resource = '*' OR (s.resource LIKE '%/*' AND starts_with(ev_resource, left(s.resource, -1))))
         ORDER BY CASE WHEN s.resource = ev_resource THEN 0 WHEN s.resource = '*' THEN 2 ELSE 1 END
         LIMIT 1;
        IF sub_id IS NULL THEN
          RAISE EXCEPTION 'workspace % has no subscription to % %: nothing to deliver to', ws, ev_source, ev_resource;
        END IF;
        INSERT INTO dead_letter_queue (stream, stream_seq, subject, reason, job_id, event_id, source, event_type, workspace_id,
            destination_url, error_category, error_message, delivery_count, attempts, headers, job, status, needs_manual_intervention)
        VALUES ('JOBS', NULL,
            'jobs.' || regexp_replace(ev_source, '[^A-Za-z0-9_-]', '_', 'g') || '.' || regexp_replace(ev_type, '[^A-Za-z0-9_-]', '_', 'g'),
            'manual', p_job_id, ev_id, ev_source, ev_type, ws, dest, 'unknown', 'moved to the dead-letter queue by hand', 0, '[]',
            jsonb_build_object('Hookstream-Job-Id', p_job_id, 'Hookstream-Event-Id', ev_id, 'Hookstream-Workspace-Id', ws,
                               'Hookstream-Source', ev_source, 'Hookstream-Event-Type', ev_type),
            jsonb_build_object('jobId', p_job_id, 'workspaceId', ws, 'subscriptionId', sub_id,
                               'event', jsonb_build_object('id', ev_id, 'seq', ev_seq, 'source', ev_source, 'type', ev_type,
                                                           'resource', ev_resource,
                                                           'receivedAt', to_char(ev_received AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
            'pending', true)
        RETURNING id INTO created;
        RETURN created;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION move_to_dead_letter_queue(text)`);
    await q.query(`DROP VIEW critical_failures`);
    await q.query(`DROP TABLE dlq_processing_log`);
    await q.query(`DROP TABLE dlq_operations`);
    await q.query(`DROP TABLE dlq_audit_log`);
    await q.query(`DROP TABLE dlq_replays`);
    await q.query(`DROP INDEX routed_events_workspaces`);
    await q.query(`DROP INDEX dead_letter_queue_category`);
    await q.query(`DROP INDEX dead_letter_queue_next_retry`);
    await q.query(`DROP INDEX dead_letter_queue_job`);
    await q.query(`
      ALTER TABLE dead_letter_queue
        DROP CONSTRAINT dead_letter_queue_category_valid,
        DROP CONSTRAINT dead_letter_queue_status_valid,
        DROP COLUMN resolution_note, DROP COLUMN resolved_at, DROP COLUMN resolved_by, DROP COLUMN reprocessed_at,
        DROP COLUMN needs_manual_intervention, DROP COLUMN next_retry_at, DROP COLUMN replay_count, DROP COLUMN retry_count,
        DROP COLUMN failure_seqs, DROP COLUMN job,
        ALTER COLUMN created_at TYPE timestamptz`);
    await q.query(`DELETE FROM dead_letter_queue WHERE stream_seq IS NULL`);
    await q.query(`ALTER TABLE dead_letter_queue ALTER COLUMN stream_seq SET NOT NULL`);
  }
}
