// Reference (b), worker: one BullMQ Worker with CONCURRENCY jobs at once; each job is a Standard Webhooks
// signed POST over keep-alive connections. BullMQ records completion (the job moves to `completed` with its
// status) and retries failures with its backoff; a non-retryable answer ends the job at once.
//   env: REDIS_URL, CONCURRENCY (64)
import { UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { createDeliverer } from "../lib/deliver.mjs";

const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const connection = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const deliver = createDeliverer({ maxSockets: CONCURRENCY });

// A fan-out's jobs share one stored body: keep the last few in memory.
const bodies = new Map();
async function bodyOf(eventId) {
  let body = bodies.get(eventId);
  if (body === undefined) {
    body = await connection.get(`event:${eventId}`);
    if (body === null) throw new UnrecoverableError(`event ${eventId} is no longer stored`);
    bodies.set(eventId, body);
    if (bodies.size > 256) bodies.delete(bodies.keys().next().value);
  }
  return body;
}

const worker = new Worker(
  "deliveries",
  async (job) => {
    const { eventId, workspaceId, url, secret } = job.data;
    const body = job.data.body ?? (await bodyOf(eventId));
    try {
      // webhook-id `<event id>:<workspace id>`, as every system sends it.
      return await deliver({ url, secret, id: `${eventId}:${workspaceId}`, body, headers: { "x-github-event": job.name, "x-workspace-id": workspaceId } });
    } catch (e) {
      throw e.retryable === false ? new UnrecoverableError(e.message) : e;
    }
  },
  { connection, concurrency: CONCURRENCY },
);
worker.on("error", (e) => console.error(`worker: ${e.message}`));

process.on("SIGTERM", async () => {
  await worker.close();
  await connection.quit();
  process.exit(0);
});
