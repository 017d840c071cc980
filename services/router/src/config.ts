import { z } from "zod";
import { adminTokenEnv, commonEnv, type Env, loadConfig, port, readTokenEnv, natsEndpoint } from "@hookstream/platform";
import { encryptionKeyEnv, keyringFrom } from "@hookstream/secrets";

const schema = z
  .object({
    ...commonEnv,
    ...adminTokenEnv,
    ...readTokenEnv,
    ...encryptionKeyEnv,
    ROUTER_PORT: port(3001),
    /**
     * Events routed at once by this process. Their claims and decisions share PostgreSQL statements, so more at
     * once means fewer round trips per event; fan-outs larger than a publish window take turns (see FanoutPublisher).
     */
    ROUTER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(64),
    /** Subscriptions kept in memory; beyond this, routing queries PostgreSQL per event. */
    ROUTER_MAX_INDEXED: z.coerce.number().int().min(0).default(1_000_000),
  })
  .transform((e) => ({
    nats: natsEndpoint(e),
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE,
    port: e.ROUTER_PORT,
    adminTokens: { admin: e.ADMIN_TOKEN, read: e.ADMIN_READ_TOKEN },
    concurrency: e.ROUTER_CONCURRENCY,
    maxIndexedSubscriptions: e.ROUTER_MAX_INDEXED,
    keyring: keyringFrom(e),
  }));

export type RouterConfig = z.infer<typeof schema>;
export const ROUTER_CONFIG = Symbol("ROUTER_CONFIG");

export function loadRouterConfig(env: Env = process.env): RouterConfig {
  return loadConfig(schema, env);
}
