import { z } from "zod";
import { natsServers } from "@hookstream/jetstream";
import type { AdminTokens } from "./admin.guard";
import { parseByteSize } from "./byte-size";
import { parseDuration, parseDurationList } from "./duration";

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Validates environment variables once, at start-up. The schema's keys are the variable names, so every
 * message names the variable to fix.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(environment)"}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
}

export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/** A text variable turned into a value by `parse`, whose error message becomes the variable's. */
const parsedWith =
  <T>(parse: (text: string) => T) =>
  (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((v, ctx) => {
        try {
          return parse(v);
        } catch (e) {
          ctx.addIssue({ code: "custom", message: (e as Error).message });
          return z.NEVER;
        }
      });

/** `250ms`, `5s`, `2m`, `1h`, `30d`: milliseconds. */
export const duration = parsedWith(parseDuration);
export const durationList = parsedWith(parseDurationList);
/** A size in bytes (`-1` for unlimited, `512MiB`, `10GB`). */
export const byteSize = parsedWith(parseByteSize);

/** Comma-separated values, trimmed, empties dropped (secret rotation lists). */
export const commaList = () =>
  z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()).filter((s) => s.length > 0));

const url = (protocols: RegExp, fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => URL.canParse(v) && protocols.test(new URL(v).protocol), { message: "must be a URL" });

const NATS_PROTOCOLS = /^(nats|tls|wss?):$/;

/**
 * How to reach NATS: one URL, or several comma-separated (the seed servers of a cluster, so a service can start
 * while any one of them is down), and for a secured cluster a credentials file and TLS files (mounted from Secrets).
 */
export const natsEnv = {
  NATS_URL: z
    .string()
    .default("nats://127.0.0.1:4222")
    .refine((v) => natsServers(v).length > 0 && natsServers(v).every((u) => URL.canParse(u) && NATS_PROTOCOLS.test(new URL(u).protocol)), {
      message: "must be a nats://, tls:// or ws(s):// URL, or several separated by commas",
    }),
  NATS_CREDS_FILE: z.string().min(1).optional(),
  NATS_TLS_CA_FILE: z.string().min(1).optional(),
  NATS_TLS_CERT_FILE: z.string().min(1).optional(),
  NATS_TLS_KEY_FILE: z.string().min(1).optional(),
};

type NatsEnv = z.infer<z.ZodObject<typeof natsEnv>>;

export interface NatsEndpoint {
  url: string;
  credsFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export function natsEndpoint(e: NatsEnv): NatsEndpoint {
  const tls = e.NATS_TLS_CA_FILE || e.NATS_TLS_CERT_FILE ? { caFile: e.NATS_TLS_CA_FILE, certFile: e.NATS_TLS_CERT_FILE, keyFile: e.NATS_TLS_KEY_FILE } : undefined;
  return { url: e.NATS_URL, credsFile: e.NATS_CREDS_FILE, tls };
}

/** Variables every service reads. */
export const commonEnv = {
  ...natsEnv,
  DATABASE_URL: url(/^postgres(ql)?:$/, "postgres://postgres@127.0.0.1:5432/hookstream"),
  LOG_LEVEL: z.enum(["error", "warn", "log", "debug", "verbose"]).default("log"),
  /** How long a stopping service waits for in-flight work before it gives up on it. */
  SHUTDOWN_GRACE: duration("20s"),
};

/** What a service that uses PostgreSQL takes from commonEnv. */
export function commonConfigFrom(e: z.infer<z.ZodObject<typeof commonEnv>>) {
  return { nats: natsEndpoint(e), databaseUrl: e.DATABASE_URL, logLevel: e.LOG_LEVEL, shutdownGraceMs: e.SHUTDOWN_GRACE };
}

/** The admin API's bearer tokens, for the services that serve it (router, DLQ manager). */
export const adminTokensEnv = {
  ADMIN_TOKEN: z.string().min(8, "must be at least 8 characters"),
  ADMIN_READ_TOKEN: z.string().min(8, "must be at least 8 characters").optional(),
};

export function adminTokensFrom(e: z.infer<z.ZodObject<typeof adminTokensEnv>>): AdminTokens {
  return { admin: e.ADMIN_TOKEN, read: e.ADMIN_READ_TOKEN };
}
