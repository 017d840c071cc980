// Reference (a), workers: WORKER_LOOPS loops, each claiming up to CLAIM_BATCH queued jobs at once with
// FOR UPDATE SKIP LOCKED (the claim returns destination, secret and body in the same round trip), delivering
// them concurrently, then recording every outcome of the batch in one UPDATE. Idle loops wait for NOTIFY.
//   env: DATABASE_URL, WORKER_LOOPS (4), CLAIM_BATCH (16)
import pg from "pg";
import { BACKOFF_MS, createDeliverer, MAX_ATTEMPTS } from "../lib/deliver.mjs";

const LOOPS = Number(process.env.WORKER_LOOPS ?? 4);
const BATCH = Number(process.env.CLAIM_BATCH ?? 16);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: LOOPS + 1 });
const deliver = createDeliverer({ maxSockets: LOOPS * BATCH });
let stopping = false;

const CLAIM = `
  WITH claimed AS (
    UPDATE background_jobs j SET status = 'running', attempts = j.attempts + 1, locked_at = now()
    WHERE j.id IN (
      SELECT id FROM background_jobs WHERE status = 'queued' AND run_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
    )
    RETURNING j.id, j.job_id, j.event_id, j.subscription_id, j.workspace_id, j.attempts
  )
  SELECT c.id, c.job_id, c.workspace_id, c.attempts, s.destination_url, s.destination_secret, e.body, e.event_type
  FROM claimed c JOIN subscriptions s ON s.id = c.subscription_id JOIN webhook_events e ON e.id = c.event_id`;

// Done, dead, or queued again after a backoff: the whole batch in one statement.
const COMPLETE = `
  UPDATE background_jobs j
  SET status = r.status, response_status = r.code, error = r.error, locked_at = NULL,
      finished_at = CASE WHEN r.status = 'queued' THEN NULL ELSE now() END,
      run_at = now() + r.delay_ms * interval '1 millisecond'
  FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::int[]) AS r(id, status, code, error, delay_ms)
  WHERE j.id = r.id`;

async function run(job) {
  try {
    const code = await deliver({
      url: job.destination_url,
      secret: job.destination_secret,
      id: job.job_id,
      body: job.body,
      headers: { "x-github-event": job.event_type, "x-workspace-id": job.workspace_id },
    });
    return { id: job.id, status: "succeeded", code, error: null, delay: 0 };
  } catch (e) {
    const dead = !e.retryable || job.attempts >= MAX_ATTEMPTS;
    return { id: job.id, status: dead ? "dead" : "queued", code: e.status ?? null, error: e.message, delay: dead ? 0 : BACKOFF_MS[job.attempts - 1] };
  }
}

// Idle loops sleep until a NOTIFY (or a second passes: delayed retries become due without one).
let wakeUp = [];
const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
await listener.connect();
listener.on("notification", () => {
  const waiting = wakeUp;
  wakeUp = [];
  for (const w of waiting) w();
});
await listener.query("LISTEN background_jobs");
const idle = () => new Promise((resolve) => {
  const timer = setTimeout(resolve, 1000);
  wakeUp.push(() => (clearTimeout(timer), resolve()));
});

async function loop() {
  while (!stopping) {
    try {
      const { rows } = await pool.query(CLAIM, [BATCH]);
      if (rows.length === 0) {
        await idle();
        continue;
      }
      const done = await Promise.all(rows.map(run));
      await pool.query(COMPLETE, [done.map((d) => d.id), done.map((d) => d.status), done.map((d) => d.code), done.map((d) => d.error), done.map((d) => d.delay)]);
    } catch (e) {
      console.error(`worker loop: ${e.message}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

// A worker that died mid-job left it `running`: after 5 minutes it is queued again.
const reaper = setInterval(() => {
  pool.query(`UPDATE background_jobs SET status = 'queued', locked_at = NULL WHERE status = 'running' AND locked_at < now() - interval '5 minutes'`).catch(() => {});
}, 30_000);

const loops = Array.from({ length: LOOPS }, loop);
process.on("SIGTERM", async () => {
  stopping = true;
  clearInterval(reaper);
  for (const w of wakeUp) w();
  await Promise.all(loops);
  await listener.end();
  await pool.end();
  process.exit(0);
});
