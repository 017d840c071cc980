import { z } from "zod";
import { commonEnv, type Env, loadConfig } from "@hookstream/platform";
import { encryptionKeyEnv, keyringFrom } from "@hookstream/secrets";

/** `npm run secrets:rotate-key`: the database, the new key and the keys it replaces. */
const schema = z
  .object({ DATABASE_URL: commonEnv.DATABASE_URL, ...encryptionKeyEnv })
  .transform((e) => ({ databaseUrl: e.DATABASE_URL, keyring: keyringFrom(e) }));

export type RotateKeyConfig = z.infer<typeof schema>;

export function loadRotateKeyConfig(env: Env = process.env): RotateKeyConfig {
  return loadConfig(schema, env);
}
