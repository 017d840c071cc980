// Reference (a), ingress: verify the GitHub signature, then ONE statement (one round trip, one transaction)
// stores the event and inserts one background_jobs row per subscribed workspace; 202 after the commit.
//   env: PORT, DATABASE_URL, GITHUB_WEBHOOK_SECRET, PG_POOL (default 16)
import pg from "pg";
import { serveGithubWebhooks } from "../lib/github-ingress.mjs";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PG_POOL ?? 16) });

// A repeated delivery id stores nothing and queues nothing. One job per workspace: an exact resource beats `*`.
const INGEST = `
  WITH event AS (
    INSERT INTO webhook_events (id, source, event_type, resource, body) VALUES ($1, 'github', $2, $3, $4)
    ON CONFLICT (id) DO NOTHING
    RETURNING id, resource
  ), jobs AS (
    INSERT INTO background_jobs (job_id, event_id, subscription_id, workspace_id)
    SELECT DISTINCT ON (s.workspace_id) event.id || ':' || s.workspace_id, event.id, s.id, s.workspace_id
    FROM event JOIN subscriptions s ON s.source = 'github' AND s.resource IN (event.resource, '*')
    ORDER BY s.workspace_id, s.resource = '*'
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM event)::int AS stored, (SELECT count(*) FROM jobs)::int AS jobs`;

// Idle workers LISTEN. A NOTIFY inside every ingest transaction would serialize the commits (PostgreSQL takes a
// global lock to queue notifications: 4× fewer webhooks/s here), so notifications are sent after the commit,
// from one connection, at most one in flight: many commits in a row cost one NOTIFY.
let notifying = false;
let notifyAgain = false;
function wakeWorkers() {
  if (notifying) return void (notifyAgain = true);
  notifying = true;
  pool.query("NOTIFY background_jobs").catch(() => {}).finally(() => {
    notifying = false;
    if (notifyAgain) {
      notifyAgain = false;
      wakeWorkers();
    }
  });
}

const server = serveGithubWebhooks({
  port: Number(process.env.PORT),
  secret: process.env.GITHUB_WEBHOOK_SECRET,
  ingest: async (event, body) => {
    const { rows } = await pool.query(INGEST, [event.id, event.type, event.resource, body]);
    if (rows[0].jobs > 0) wakeWorkers();
    return { duplicate: rows[0].stored === 0, jobs: rows[0].jobs };
  },
});

process.on("SIGTERM", () => server.close(() => pool.end().then(() => process.exit(0))));
