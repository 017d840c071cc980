import { z } from "zod";
import { commonConfigFrom, commonEnv, duration, type Env, loadConfig, port } from "@hookstream/platform";
import { encryptionKeyEnv, keyringFrom } from "@hookstream/secrets";

const schema = z
  .object({
    ...commonEnv,
    ...encryptionKeyEnv,
    WORKER_PORT: port(3002),
    /** Jobs run at once by this process. Retries (JOB_MAX_DELIVER, JOB_BACKOFF) live on the consumer: see provisioning. */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(32),
    /**
     * Deliveries in flight from this process (default: WORKER_CONCURRENCY). A job spends most of its time in
     * batched bookkeeping (PostgreSQL, JetStream); with more jobs than deliveries at once, the destinations see
     * this many requests at most while the bookkeeping of the others goes on.
     */
    DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(1024).optional(),
    /**
     * Jobs of one workspace run at once by this process (default: a quarter of WORKER_CONCURRENCY); its others are
     * deferred, so a workspace with a slow or failing destination cannot hold the others back.
     */
    WORKSPACE_CONCURRENCY: z.coerce.number().int().min(1).max(1024).optional(),
    /** A destination slower than this is a `timeout`. */
    DELIVERY_TIMEOUT: duration("10s"),
    /** Consecutive failures (timeouts, 5xx, unreachable) that open a destination host's circuit breaker. */
    BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
    /** How long an open breaker first refuses calls; each failed probe doubles it, up to BREAKER_MAX_OPEN. */
    BREAKER_OPEN_FOR: duration("5s"),
    BREAKER_MAX_OPEN: duration("5m"),
    /**
     * Job handlers this worker skips, by name (`workspace-activity,cache-invalidation`): a deployment that only
     * delivers does not pay for activity rows or cache purges. A name no handler has stops the start.
     */
    JOB_HANDLERS_DISABLED: z
      .string()
      .default("")
      .transform((s) => s.split(",").map((name) => name.trim()).filter((name) => name !== "")),
  })
  .refine((e) => (e.WORKSPACE_CONCURRENCY ?? 0) <= e.WORKER_CONCURRENCY, { path: ["WORKSPACE_CONCURRENCY"], message: "must not exceed WORKER_CONCURRENCY" })
  .refine((e) => (e.DELIVERY_CONCURRENCY ?? 0) <= e.WORKER_CONCURRENCY, { path: ["DELIVERY_CONCURRENCY"], message: "must not exceed WORKER_CONCURRENCY" })
  .refine((e) => e.BREAKER_MAX_OPEN >= e.BREAKER_OPEN_FOR, { path: ["BREAKER_MAX_OPEN"], message: "must not be shorter than BREAKER_OPEN_FOR" })
  .transform((e) => ({
    ...commonConfigFrom(e),
    port: e.WORKER_PORT,
    concurrency: e.WORKER_CONCURRENCY,
    deliveryConcurrency: e.DELIVERY_CONCURRENCY ?? e.WORKER_CONCURRENCY,
    workspaceConcurrency: e.WORKSPACE_CONCURRENCY ?? Math.ceil(e.WORKER_CONCURRENCY / 4),
    deliveryTimeoutMs: e.DELIVERY_TIMEOUT,
    breaker: { failureThreshold: e.BREAKER_FAILURES, openMs: e.BREAKER_OPEN_FOR, maxOpenMs: e.BREAKER_MAX_OPEN },
    disabledHandlers: e.JOB_HANDLERS_DISABLED,
    keyring: keyringFrom(e),
  }));

export type WorkerConfig = z.infer<typeof schema>;
export const WORKER_CONFIG = Symbol("WORKER_CONFIG");

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  return loadConfig(schema, env);
}
