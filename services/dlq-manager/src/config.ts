import { z } from "zod";
import { adminTokenEnv, commonEnv, type Env, loadConfig, port, readTokenEnv } from "@hookstream/platform";

const schema = z
  .object({
    ...commonEnv,
    ...adminTokenEnv,
    ...readTokenEnv,
    DLQ_PORT: port(3003),
  })
  .transform((e) => ({
    natsUrl: e.NATS_URL,
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE,
    port: e.DLQ_PORT,
    adminTokens: { admin: e.ADMIN_TOKEN, read: e.ADMIN_READ_TOKEN },
  }));

export type DlqConfig = z.infer<typeof schema>;

export function loadDlqConfig(env: Env = process.env): DlqConfig {
  return loadConfig(schema, env);
}
