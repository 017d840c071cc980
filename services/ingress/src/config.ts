import { z } from "zod";
import { commaList, commonEnv, duration, type Env, loadConfig, port } from "@hookstream/platform";

const schema = z
  .object({
    ...commonEnv,
    INGRESS_PORT: port(3000),
    /** Comma-separated: every listed secret is accepted, so a secret can be rotated without downtime. */
    GITHUB_WEBHOOK_SECRET: commaList().optional(),
    WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
    WEBHOOK_TIMESTAMP_TOLERANCE_S: z.coerce.number().int().positive().default(300),
    /** How long ingress waits for JetStream's PubAck before answering 503. */
    PUBLISH_TIMEOUT: duration("5s"),
    /** Told to a provider with a 503: when to try again. */
    RETRY_AFTER_S: z.coerce.number().int().positive().default(5),
  })
  .transform((e) => ({
    natsUrl: e.NATS_URL,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE,
    port: e.INGRESS_PORT,
    secrets: { github: e.GITHUB_WEBHOOK_SECRET ?? [] } as Record<string, string[]>,
    maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES,
    timestampToleranceS: e.WEBHOOK_TIMESTAMP_TOLERANCE_S,
    publishTimeoutMs: e.PUBLISH_TIMEOUT,
    retryAfterS: e.RETRY_AFTER_S,
  }));

export type IngressConfig = z.infer<typeof schema>;
export const INGRESS_CONFIG = Symbol("INGRESS_CONFIG");

export function loadIngressConfig(env: Env = process.env): IngressConfig {
  return loadConfig(schema, env);
}
