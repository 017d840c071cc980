-- The design Hookstream replaces: events and jobs in PostgreSQL, workers claiming jobs with FOR UPDATE SKIP LOCKED.
CREATE TABLE subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id text NOT NULL,
  source text NOT NULL,
  resource text NOT NULL,
  destination_url text NOT NULL,
  destination_secret text NOT NULL,
  UNIQUE (workspace_id, source, resource)
);
CREATE INDEX subscriptions_source_resource ON subscriptions (source, resource);

-- Every verified webhook, as received (the raw body is what gets delivered).
CREATE TABLE webhook_events (
  id text PRIMARY KEY,
  source text NOT NULL,
  event_type text NOT NULL,
  resource text,
  body text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE background_jobs (
  id bigserial PRIMARY KEY,
  job_id text NOT NULL UNIQUE, -- <event id>:<workspace id>, also the Standard Webhooks webhook-id
  event_id text NOT NULL REFERENCES webhook_events (id),
  subscription_id uuid NOT NULL,
  workspace_id text NOT NULL,
  status text NOT NULL DEFAULT 'queued', -- queued, running, succeeded, dead
  attempts integer NOT NULL DEFAULT 0,
  run_at timestamptz NOT NULL DEFAULT now(),
  locked_at timestamptz,
  finished_at timestamptz,
  response_status integer,
  error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Claims read the queued jobs in order; the partial index stays small however many jobs are done.
CREATE INDEX background_jobs_queued ON background_jobs (id) WHERE status = 'queued';
CREATE INDEX background_jobs_running ON background_jobs (locked_at) WHERE status = 'running';
