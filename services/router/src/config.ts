import { z } from "zod";
import { adminTokensEnv, adminTokensFrom, commonConfigFrom, commonEnv, type Env, loadConfig, port } from "@hookstream/platform";
import { encryptionKeyEnv, keyringFrom } from "@hookstream/secrets";

const schema = z
  .object({
    ...commonEnv,
    ...adminTokensEnv,
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
    ...commonConfigFrom(e),
    port: e.ROUTER_PORT,
    adminTokens: adminTokensFrom(e),
    concurrency: e.ROUTER_CONCURRENCY,
    maxIndexedSubscriptions: e.ROUTER_MAX_INDEXED,
    keyring: keyringFrom(e),
  }));

export type RouterConfig = z.infer<typeof schema>;
export const ROUTER_CONFIG = Symbol("ROUTER_CONFIG");

export function loadRouterConfig(env: Env = process.env): RouterConfig {
  return loadConfig(schema, env);
}
