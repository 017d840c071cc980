// Reference (b), ingress: verify the GitHub signature, store the event in Redis, look up the subscribed
// workspaces in PostgreSQL and queue one BullMQ job per workspace with addBulk (in chunks); 202 once queued.
// Job ids are `<event id>/<workspace id>` (BullMQ refuses ":"), so a repeated delivery queues nothing twice.
//   env: PORT, DATABASE_URL, REDIS_URL, GITHUB_WEBHOOK_SECRET, PG_POOL (default 8)
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { BACKOFF_MS, MAX_ATTEMPTS } from "../lib/deliver.mjs";
import { serveGithubWebhooks } from "../lib/github-ingress.mjs";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PG_POOL ?? 8) });
const redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue("deliveries", { connection: redis });
const CHUNK = 1000;
/** Small fan-outs carry the body in the job (the worker saves a GET); large ones share the stored event. */
const INLINE_BODY_MAX = 16;
const EVENT_TTL_S = 7 * 24 * 3600;

const MATCHING = `
  SELECT DISTINCT ON (workspace_id) id, workspace_id, destination_url, destination_secret
  FROM subscriptions WHERE source = 'github' AND resource = ANY($1)
  ORDER BY workspace_id, resource = '*'`;

// BullMQ's own retry: exponential from 5 s, 6 attempts (Hookstream's defaults).
const jobOptions = (jobId) => ({ jobId, attempts: MAX_ATTEMPTS, backoff: { type: "exponential", delay: BACKOFF_MS[0] } });

async function ingest(event, body) {
  const stored = redis.set(`event:${event.id}`, body, "EX", EVENT_TTL_S);
  const { rows } = await pool.query(MATCHING, [event.resource ? [event.resource, "*"] : ["*"]]);
  const inline = rows.length <= INLINE_BODY_MAX;
  await stored; // before any job that reads it exists
  const jobs = rows.map((s) => ({
    name: event.type,
    data: { eventId: event.id, workspaceId: s.workspace_id, url: s.destination_url, secret: s.destination_secret, body: inline ? body : undefined },
    opts: jobOptions(`${event.id}/${s.workspace_id}`),
  }));
  for (let i = 0; i < jobs.length; i += CHUNK) await queue.addBulk(jobs.slice(i, i + CHUNK));
  return { jobs: jobs.length };
}

const server = serveGithubWebhooks({
  port: Number(process.env.PORT),
  secret: process.env.GITHUB_WEBHOOK_SECRET,
  ingest,
});

process.on("SIGTERM", () => server.close(async () => {
  await queue.close();
  await redis.quit();
  await pool.end();
  process.exit(0);
}));
