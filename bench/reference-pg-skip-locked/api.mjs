// Reference (a), ingress: verify the GitHub signature, then ONE statement (one round trip, one transaction)
// stores the event and inserts one background_jobs row per subscribed workspace; 202 after the commit.
//   env: PORT, DATABASE_URL, GITHUB_WEBHOOK_SECRET, PG_POOL (default 16)
import { createServer } from "node:http";
import pg from "pg";
import { describeGithub, readBody, reply } from "../lib/deliver.mjs";
import { verifyGithub } from "../lib/signing.mjs";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PG_POOL ?? 16) });
const secret = process.env.GITHUB_WEBHOOK_SECRET;

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

const server = createServer(async (req, res) => {
  if (req.method === "GET" && req.url === "/healthz") return reply(res, 200, { status: "ok" });
  if (req.method !== "POST" || req.url !== "/webhooks/github") return reply(res, 404, { code: "not_found" });
  const raw = await readBody(req);
  if (!raw) return reply(res, 413, { code: "too_large" });
  if (!verifyGithub(secret, raw, req.headers["x-hub-signature-256"])) return reply(res, 401, { code: "invalid_signature" });
  const event = describeGithub(req.headers, raw);
  if (!event) return reply(res, 400, { code: "malformed" });
  try {
    const { rows } = await pool.query(INGEST, [event.id, event.type, event.resource, raw.toString("utf8")]);
    if (rows[0].jobs > 0) wakeWorkers();
    reply(res, 202, { status: "accepted", id: event.id, duplicate: rows[0].stored === 0, jobs: rows[0].jobs });
  } catch (e) {
    console.error(`event ${event.id} not stored: ${e.message}`);
    reply(res, 503, { code: "store_unavailable" }, { "retry-after": "5" });
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), "127.0.0.1");

process.on("SIGTERM", () => server.close(() => pool.end().then(() => process.exit(0))));
