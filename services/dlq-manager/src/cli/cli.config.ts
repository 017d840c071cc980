import { z } from "zod";
// Straight from the module, not the package index: the index loads Nest, Fastify and TypeORM, seconds of start-up.
import { type Env, loadConfig } from "../../../../libs/platform/src/config";

const schema = z
  .object({
    /** The DLQ manager's base URL (DLQ_URL is read too, for deployments that already set it). */
    HOOKSTREAM_URL: z.url({ protocol: /^https?$/ }).optional(),
    DLQ_URL: z.url({ protocol: /^https?$/ }).optional(),
    ADMIN_TOKEN: z.string({ error: "is required: the admin token (or the read-only one, to read)" }).min(1),
  })
  .transform((e) => ({
    url: (e.HOOKSTREAM_URL ?? e.DLQ_URL ?? "http://127.0.0.1:3003").replace(/\/+$/, ""),
    token: e.ADMIN_TOKEN,
  }));

export type CliConfig = z.infer<typeof schema>;

export function loadCliConfig(env: Env = process.env): CliConfig {
  return loadConfig(schema, env);
}
