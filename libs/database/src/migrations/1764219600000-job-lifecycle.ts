import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The job lifecycle projection: background_jobs, one row per JOBS message, written by the worker's projector
 * from JOBS, JOB_EVENTS and ADVISORIES (and rebuilt from them by `npm run projections:rebuild`); and the SQL
 * operators read it with.
 */
export class JobLifecycle1764219600000 implements MigrationInterface {
  name = "JobLifecycle1764219600000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE background_jobs (
        job_seq bigint PRIMARY KEY,
        id text,
        type text GENERATED ALWAYS AS ('webhook/' || webhook_event_type) STORED,
        workspace_id text,
        status text NOT NULL CHECK (status IN ('queued', 'started', 'failed', 'succeeded', 'stale', 'dead_lettered')),
        status_rank integer NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        error text,
        error_category text CHECK (error_category IN ('timeout', 'validation', 'external_api', 'rate_limit', 'unknown')),
        error_attempt integer NOT NULL DEFAULT 0,
        duration_ms bigint GENERATED ALWAYS AS ((extract(epoch FROM completed_at - created_at) * 1000)::bigint) STORED,
        processing_mode text,
        response_time_ms integer,
        outcome_attempt integer NOT NULL DEFAULT 0,
        webhook_source text,
        webhook_event_type text,
        affected_workspaces integer NOT NULL DEFAULT 0,
        event_id text,
        replay_of text,
        received_at timestamptz,
        created_at timestamptz,
        started_at timestamptz,
        completed_at timestamptz,
        updated_at timestamptz
      )`);
    const comments: Record<string, string> = {
      job_seq: "The job's sequence on the JOBS stream: its identity in the event log (job events and advisories name it)",
      id: "Job id, <event id>:<workspace id> (a replay: <job id>:replay:<n>); #<job_seq> for a message that is not a job",
      status: "queued, started, failed (the last attempt failed; a retry or dead-lettering follows), succeeded, stale, dead_lettered",
      status_rank: "Orders transitions by meaning (attempt, then final statuses), so events merge the same in any order",
      attempts: "Deliveries seen: the highest attempt number of any transition",
      error: "The latest failed attempt's error (kept after a later success)",
      error_attempt: "The attempt whose failure error describes; 0 when only the dead-letter advisory told it",
      duration_ms: "From queued to the final status, retries included",
      processing_mode: "live (routed) or replay (replays an earlier job, see replay_of)",
      response_time_ms: "How long the latest attempt with an outcome took (mostly the destination's answer)",
      outcome_attempt: "The attempt response_time_ms comes from",
      affected_workspaces: "Workspaces the job's event was routed to (counted again within a second of a new job of the event)",
      received_at: "When ingress received the webhook",
      created_at: "When the job was queued (stored on JOBS)",
      started_at: "When the first attempt began",
      completed_at: "When the job reached its final status",
    };
    for (const [column, comment] of Object.entries(comments)) {
      await q.query(`COMMENT ON COLUMN background_jobs.${column} IS '${comment.replace(/'/g, "''")}'`);
    }
    await q.query(`CREATE INDEX background_jobs_id ON background_jobs (id)`);
    await q.query(`CREATE INDEX background_jobs_event ON background_jobs (event_id)`);
    await q.query(`CREATE INDEX background_jobs_workspace ON background_jobs (workspace_id, created_at DESC)`);
    await q.query(`CREATE INDEX background_jobs_created ON background_jobs (created_at DESC)`);
    await q.query(`CREATE INDEX background_jobs_received ON background_jobs (received_at DESC)`);
    // Events whose jobs' affected_workspaces is behind their count: the projector recounts them shortly after.
    await q.query(`CREATE TABLE background_jobs_recount (webhook_source text NOT NULL, event_id text NOT NULL, PRIMARY KEY (webhook_source, event_id))`);
    // Jobs not finished yet: what an operator looks for when something is stuck.
    await q.query(`CREATE INDEX background_jobs_open ON background_jobs (status, created_at) WHERE status IN ('queued', 'started', 'failed')`);

    // One row per webhook: how its fan-out went. Replays are left out: they are operator actions, not the webhook.
    await q.query(`
      CREATE VIEW webhook_metrics AS
        SELECT webhook_source, webhook_event_type, event_id, received_at,
               max(affected_workspaces) AS affected_workspaces,
               count(*) AS jobs,
               count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
               count(*) FILTER (WHERE status = 'stale') AS stale,
               count(*) FILTER (WHERE status = 'dead_lettered') AS dead_lettered,
               count(*) FILTER (WHERE status IN ('queued', 'started', 'failed')) AS in_flight,
               count(*) FILTER (WHERE attempts > 1) AS retried,
               min(created_at) AS first_queued_at,
               max(completed_at) AS last_completed_at,
               -- Receipt to the last job's final status; NULL while a job is open.
               CASE WHEN count(*) = count(completed_at) THEN (extract(epoch FROM max(completed_at) - received_at) * 1000)::bigint END AS fanout_duration_ms,
               round(avg(response_time_ms)) AS avg_response_time_ms,
               max(response_time_ms) AS max_response_time_ms
          FROM background_jobs
         WHERE event_id IS NOT NULL AND replay_of IS NULL
         GROUP BY webhook_source, webhook_event_type, event_id, received_at`);

    // Per source and event type, for webhooks received within p_interval. success_rate leaves open and stale jobs out.
    await q.query(`
      CREATE FUNCTION get_webhook_stats(p_interval interval DEFAULT interval '24 hours')
      RETURNS TABLE (webhook_source text, webhook_event_type text, webhooks bigint, jobs bigint, succeeded bigint, stale bigint,
                     dead_lettered bigint, in_flight bigint, retried bigint, success_rate numeric, avg_affected_workspaces numeric,
                     max_affected_workspaces integer, avg_fanout_duration_ms numeric, p95_fanout_duration_ms double precision,
                     avg_response_time_ms numeric)
      LANGUAGE sql STABLE AS $$
        SELECT m.webhook_source, m.webhook_event_type, count(*), sum(m.jobs)::bigint, sum(m.succeeded)::bigint, sum(m.stale)::bigint,
               sum(m.dead_lettered)::bigint, sum(m.in_flight)::bigint, sum(m.retried)::bigint,
               round(sum(m.succeeded) / NULLIF(sum(m.succeeded) + sum(m.dead_lettered), 0), 4),
               round(avg(m.affected_workspaces), 2), max(m.affected_workspaces),
               round(avg(m.fanout_duration_ms)), percentile_cont(0.95) WITHIN GROUP (ORDER BY m.fanout_duration_ms),
               round(avg(m.avg_response_time_ms))
          FROM webhook_metrics m
         WHERE m.received_at >= now() - p_interval
         GROUP BY m.webhook_source, m.webhook_event_type
         ORDER BY count(*) DESC, m.webhook_source, m.webhook_event_type
      $$`);

    // Every job in the projection (the JOBS stream's retention), in one row.
    await q.query(`
      CREATE FUNCTION get_job_statistics_summary()
      RETURNS TABLE (total_jobs bigint, queued bigint, started bigint, failed bigint, succeeded bigint, stale bigint, dead_lettered bigint,
                     retried bigint, replays bigint, success_rate numeric, avg_attempts numeric, avg_duration_ms numeric,
                     p95_duration_ms double precision, avg_response_time_ms numeric, p95_response_time_ms double precision,
                     jobs_last_hour bigint, jobs_last_day bigint, oldest_open_job_at timestamptz)
      LANGUAGE sql STABLE AS $$
        SELECT count(*),
               count(*) FILTER (WHERE status = 'queued'),
               count(*) FILTER (WHERE status = 'started'),
               count(*) FILTER (WHERE status = 'failed'),
               count(*) FILTER (WHERE status = 'succeeded'),
               count(*) FILTER (WHERE status = 'stale'),
               count(*) FILTER (WHERE status = 'dead_lettered'),
               count(*) FILTER (WHERE attempts > 1),
               count(*) FILTER (WHERE processing_mode = 'replay'),
               round(count(*) FILTER (WHERE status = 'succeeded')::numeric
                     / NULLIF(count(*) FILTER (WHERE status IN ('succeeded', 'dead_lettered')), 0), 4),
               round(avg(attempts), 2),
               round(avg(duration_ms)),
               percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms),
               round(avg(response_time_ms)),
               percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms),
               count(*) FILTER (WHERE created_at >= now() - interval '1 hour'),
               count(*) FILTER (WHERE created_at >= now() - interval '1 day'),
               min(created_at) FILTER (WHERE status IN ('queued', 'started', 'failed'))
          FROM background_jobs
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION get_job_statistics_summary()`);
    await q.query(`DROP FUNCTION get_webhook_stats(interval)`);
    await q.query(`DROP VIEW webhook_metrics`);
    await q.query(`DROP TABLE background_jobs_recount`);
    await q.query(`DROP TABLE background_jobs`);
  }
}
