import { z } from "zod";
import { commonEnv, type Env, loadConfig, natsEndpoint, natsEnv } from "@hookstream/platform";

/** `npm run projections:rebuild`: where the streams and the projection are. */
const schema = z
  .object({ ...natsEnv, DATABASE_URL: commonEnv.DATABASE_URL })
  .transform((e) => ({ nats: natsEndpoint(e), databaseUrl: e.DATABASE_URL }));

export type RebuildConfig = z.infer<typeof schema>;

export function loadRebuildConfig(env: Env = process.env): RebuildConfig {
  return loadConfig(schema, env);
}
