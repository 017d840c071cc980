import { z } from "zod";
import { commonEnv, duration, type Env, loadConfig, port, natsEndpoint } from "@hookstream/platform";

const schema = z
  .object({
    ...commonEnv,
    WORKER_PORT: port(3002),
    /** Jobs run at once by this process. Retries (JOB_MAX_DELIVER, JOB_BACKOFF) live on the consumer: see provisioning. */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(32),
    /** A destination slower than this is a `timeout`. */
    DELIVERY_TIMEOUT: duration("10s"),
  })
  .transform((e) => ({
    nats: natsEndpoint(e),
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE,
    port: e.WORKER_PORT,
    concurrency: e.WORKER_CONCURRENCY,
    deliveryTimeoutMs: e.DELIVERY_TIMEOUT,
  }));

export type WorkerConfig = z.infer<typeof schema>;
export const WORKER_CONFIG = Symbol("WORKER_CONFIG");

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  return loadConfig(schema, env);
}
