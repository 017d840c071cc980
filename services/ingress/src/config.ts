import { z } from "zod";
import type { WebhookSource } from "@hookstream/contracts";
import { commaList, commonEnv, duration, type Env, loadConfig, natsEndpoint, port } from "@hookstream/platform";
import type { HmacVerifierOptions } from "./verifiers/generic-hmac.verifier";
import { standardWebhookKey } from "./verifiers/standard.verifier";
import { trustList } from "./client";
import { parseRate } from "./token-buckets";

/** How a generic HMAC source signs and names its events, from its `HMAC_WEBHOOK_<NAME>_*` variables. */
export interface HmacSettings extends HmacVerifierOptions {
  /** Header carrying the event id (the dedupe key). */
  idHeader: string;
  /** Header carrying the event type; without one every event has type `webhook`. */
  eventHeader?: string;
}

/** One webhook source that ingress accepts: a provider, and for Standard Webhooks and generic HMAC a name. */
export interface SourceConfig {
  kind: WebhookSource;
  /** `clerk` for `/webhooks/standard/clerk`; only Standard Webhooks and generic HMAC sources have one. */
  name?: string;
  /** Every secret currently accepted (rotation). */
  secrets: string[];
  /** Event types stored; empty: all. A pattern ending in `*` matches a prefix (`customer.*`). */
  events: string[];
  maxBodyBytes: number;
  hmac?: HmacSettings;
}

const NAME = "[A-Z0-9_]+";
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const bytes = () => z.coerce.number().int().positive();
const headerName = () => z.string().regex(HEADER_NAME, "must be an HTTP header name").transform((h) => h.toLowerCase());
const optionalList = () => commaList().optional();
/** A variable read by `parse`, whose error message is reported against the variable. */
const parsedWith = <T>(fallback: string, parse: (value: string) => T) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx): T => {
      try {
        return parse(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
        return z.NEVER;
      }
    });
/** Comma-separated, all accepted at once (rotation); empty counts as unset, so the source is refused. */
const secretList = (check?: (secret: string) => string | undefined) =>
  commaList()
    .superRefine((secrets, ctx) => {
      for (const secret of secrets) {
        const problem = check?.(secret);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }
    })
    .transform((secrets) => (secrets.length > 0 ? secrets : undefined));

/** The settings of a generic HMAC source beside its `HMAC_WEBHOOK_<NAME>_SECRET`, by suffix. */
const HMAC_SETTINGS = {
  SECRET: secretList(),
  EVENTS: optionalList(),
  MAX_BODY_BYTES: bytes().optional(),
  ALGORITHM: z.enum(["sha256", "sha512"]).default("sha256"),
  ENCODING: z.enum(["hex", "base64"]).default("hex"),
  SIGNATURE_HEADER: headerName(),
  SIGNATURE_PREFIX: z.string().default(""),
  TIMESTAMP_HEADER: headerName().optional(),
  ID_HEADER: headerName(),
  EVENT_HEADER: headerName().optional(),
} as const;
/** Validated variables, named ones included, by variable name. */
type Parsed = Record<string, unknown>;
type HmacEnv = { [K in keyof typeof HMAC_SETTINGS]: z.output<(typeof HMAC_SETTINGS)[K]> };

/** Standard Webhooks sources: `STANDARD_WEBHOOK_<SETTING>_<NAME>`. */
const STANDARD_SETTINGS = {
  SECRET: secretList((s) => (standardWebhookKey(s) ? undefined : "a secret must be base64, optionally after whsec_")),
  EVENTS: optionalList(),
  MAX_BODY_BYTES: bytes().optional(),
} as const;

/** The named sources in `env`: Standard Webhooks variables by name and setting, HMAC source names, and unknown variables. */
function namedVariables(env: Env) {
  const hmacNames = Object.keys(env).flatMap((k) => new RegExp(`^HMAC_WEBHOOK_(${NAME})_SECRET$`).exec(k)?.[1] ?? []);
  const hmacKeys = new Set(hmacNames.flatMap((name) => Object.keys(HMAC_SETTINGS).map((setting) => `HMAC_WEBHOOK_${name}_${setting}`)));
  const standardKey = new RegExp(`^STANDARD_WEBHOOK_(${Object.keys(STANDARD_SETTINGS).join("|")})_(${NAME})$`);
  const standard: Array<{ key: string; name: string; setting: keyof typeof STANDARD_SETTINGS }> = [];
  const unknown: string[] = [];
  for (const key of Object.keys(env)) {
    const m = standardKey.exec(key);
    if (m) standard.push({ key, setting: m[1] as keyof typeof STANDARD_SETTINGS, name: m[2]! });
    else if (key.startsWith("STANDARD_WEBHOOK_") || (key.startsWith("HMAC_WEBHOOK_") && !hmacKeys.has(key))) unknown.push(key);
  }
  return { standard, hmacNames, unknown };
}

const fixedSchema = {
  ...commonEnv,
  INGRESS_PORT: port(3000),
  GITHUB_WEBHOOK_SECRET: secretList().optional(),
  GITHUB_WEBHOOK_EVENTS: optionalList(),
  GITHUB_WEBHOOK_MAX_BODY_BYTES: bytes().optional(),
  STRIPE_WEBHOOK_SECRET: secretList().optional(),
  STRIPE_WEBHOOK_EVENTS: optionalList(),
  STRIPE_WEBHOOK_MAX_BODY_BYTES: bytes().optional(),
  META_APP_SECRET: secretList().optional(),
  META_VERIFY_TOKEN: secretList().optional(),
  META_WEBHOOK_EVENTS: optionalList(),
  META_WEBHOOK_MAX_BODY_BYTES: bytes().optional(),
  INNGEST_SIGNING_KEY: secretList().optional(),
  /** Inngest's own name for the key that is being rotated out. */
  INNGEST_SIGNING_KEY_FALLBACK: secretList().optional(),
  INNGEST_WEBHOOK_EVENTS: optionalList(),
  INNGEST_WEBHOOK_MAX_BODY_BYTES: bytes().optional(),
  WEBHOOK_MAX_BODY_BYTES: bytes().default(5 * 1024 * 1024),
  WEBHOOK_TIMESTAMP_TOLERANCE_S: z.coerce.number().int().positive().default(300),
  /** Refused requests (bad signature, unknown source) a client IP may make: beyond, 429 until its bucket refills. */
  WEBHOOK_RATE_LIMIT_FAILURES: parsedWith("30/1m", parseRate),
  /** Verified requests per source. */
  WEBHOOK_RATE_LIMIT_VERIFIED: parsedWith("10000/1s", parseRate),
  /** Client IPs whose failures are remembered at once; the least recently seen is forgotten first. */
  WEBHOOK_RATE_LIMIT_MAX_CLIENTS: z.coerce.number().int().positive().default(100_000),
  /** Proxies whose X-Forwarded-For names the client (comma-separated addresses, CIDRs, loopback/linklocal/uniquelocal); `none` for none. */
  TRUSTED_PROXIES: parsedWith("loopback,linklocal,uniquelocal", (v) => trustList(v.trim() === "none" ? [] : v.split(",").map((s) => s.trim()).filter(Boolean))),
  /** A client that has not sent its headers by then, or its whole request, is answered 408 and disconnected. */
  HTTP_HEADERS_TIMEOUT: duration("10s"),
  HTTP_REQUEST_TIMEOUT: duration("60s"),
  /** How long ingress waits for JetStream's PubAck before answering 503. */
  PUBLISH_TIMEOUT: duration("5s"),
  /** Told to a provider with a 503: when to try again. */
  RETRY_AFTER_S: z.coerce.number().int().positive().default(5),
};

function schemaFor(env: Env) {
  const named = namedVariables(env);
  // Every setting of each HMAC source, set or not, so defaults apply and required ones are reported.
  const dynamic = Object.fromEntries([
    ...named.standard.map((v) => [v.key, STANDARD_SETTINGS[v.setting]] as const),
    ...named.hmacNames.flatMap((name) => Object.entries(HMAC_SETTINGS).map(([setting, schema]) => [`HMAC_WEBHOOK_${name}_${setting}`, schema] as const)),
  ]);
  return z
    // Typed as the fixed part only: the transform reads the named variables by key.
    .object({ ...fixedSchema, ...(dynamic as {}) })
    .superRefine((e, ctx) => {
      for (const key of named.unknown)
        ctx.addIssue({ code: "custom", path: [key], message: "names no setting of a configured source (see README: STANDARD_WEBHOOK_SECRET_<NAME>, HMAC_WEBHOOK_<NAME>_SECRET…)" });
      const standardNames = new Set(named.standard.filter((v) => v.setting === "SECRET").map((v) => v.name));
      for (const v of named.standard)
        if (!standardNames.has(v.name)) ctx.addIssue({ code: "custom", path: [v.key], message: `STANDARD_WEBHOOK_SECRET_${v.name} is not set` });
      if (e.META_VERIFY_TOKEN && !e.META_APP_SECRET) ctx.addIssue({ code: "custom", path: ["META_VERIFY_TOKEN"], message: "needs META_APP_SECRET" });
      if (e.INNGEST_SIGNING_KEY_FALLBACK && !e.INNGEST_SIGNING_KEY) ctx.addIssue({ code: "custom", path: ["INNGEST_SIGNING_KEY_FALLBACK"], message: "needs INNGEST_SIGNING_KEY" });
      if (e.HTTP_HEADERS_TIMEOUT > e.HTTP_REQUEST_TIMEOUT) ctx.addIssue({ code: "custom", path: ["HTTP_HEADERS_TIMEOUT"], message: "must not exceed HTTP_REQUEST_TIMEOUT" });
    })
    .transform((e) => {
      const settings: Parsed = e;
      const defaultMax = e.WEBHOOK_MAX_BODY_BYTES;
      const fixed = (kind: WebhookSource, secrets: string[] | undefined, events: string[] | undefined, max: number | undefined): SourceConfig[] =>
        secrets ? [{ kind, secrets, events: events ?? [], maxBodyBytes: max ?? defaultMax }] : [];
      const standardNames = [...new Set(named.standard.map((v) => v.name))];
      const withName = (sources: SourceConfig[], name: string) => sources.map((source) => ({ ...source, name: name.toLowerCase() }));
      const sources: SourceConfig[] = [
        ...fixed("github", e.GITHUB_WEBHOOK_SECRET, e.GITHUB_WEBHOOK_EVENTS, e.GITHUB_WEBHOOK_MAX_BODY_BYTES),
        ...fixed("stripe", e.STRIPE_WEBHOOK_SECRET, e.STRIPE_WEBHOOK_EVENTS, e.STRIPE_WEBHOOK_MAX_BODY_BYTES),
        ...fixed("meta", e.META_APP_SECRET, e.META_WEBHOOK_EVENTS, e.META_WEBHOOK_MAX_BODY_BYTES),
        ...fixed(
          "inngest",
          e.INNGEST_SIGNING_KEY && [...e.INNGEST_SIGNING_KEY, ...(e.INNGEST_SIGNING_KEY_FALLBACK ?? [])],
          e.INNGEST_WEBHOOK_EVENTS,
          e.INNGEST_WEBHOOK_MAX_BODY_BYTES,
        ),
        ...standardNames.flatMap((name) => {
          const get = (setting: keyof typeof STANDARD_SETTINGS) => settings[`STANDARD_WEBHOOK_${setting}_${name}`] as unknown;
          return withName(fixed("standard", get("SECRET") as string[] | undefined, get("EVENTS") as string[] | undefined, get("MAX_BODY_BYTES") as number | undefined), name);
        }),
        ...named.hmacNames.flatMap((name) => {
          const s = hmacSettings(settings, name);
          return withName(fixed("hmac", s.SECRET, s.EVENTS, s.MAX_BODY_BYTES), name).map((source) => ({ ...source, hmac: hmacOf(s) }));
        }),
      ];
      return {
        nats: natsEndpoint(e),
        logLevel: e.LOG_LEVEL,
        shutdownGraceMs: e.SHUTDOWN_GRACE,
        port: e.INGRESS_PORT,
        sources,
        metaVerifyTokens: e.META_VERIFY_TOKEN ?? [],
        timestampToleranceS: e.WEBHOOK_TIMESTAMP_TOLERANCE_S,
        rateLimits: { failuresPerClient: e.WEBHOOK_RATE_LIMIT_FAILURES, verifiedPerSource: e.WEBHOOK_RATE_LIMIT_VERIFIED, maxClients: e.WEBHOOK_RATE_LIMIT_MAX_CLIENTS },
        trustedProxies: e.TRUSTED_PROXIES,
        timeouts: { headersMs: e.HTTP_HEADERS_TIMEOUT, requestMs: e.HTTP_REQUEST_TIMEOUT },
        publishTimeoutMs: e.PUBLISH_TIMEOUT,
        retryAfterS: e.RETRY_AFTER_S,
      };
    });
}

function hmacSettings(parsed: Parsed, name: string): HmacEnv {
  return Object.fromEntries(Object.keys(HMAC_SETTINGS).map((setting) => [setting, parsed[`HMAC_WEBHOOK_${name}_${setting}`]])) as HmacEnv;
}

function hmacOf(s: HmacEnv): HmacSettings {
  return {
    algorithm: s.ALGORITHM,
    encoding: s.ENCODING,
    signatureHeader: s.SIGNATURE_HEADER,
    prefix: s.SIGNATURE_PREFIX,
    idHeader: s.ID_HEADER,
    ...(s.TIMESTAMP_HEADER && { timestampHeader: s.TIMESTAMP_HEADER }),
    ...(s.EVENT_HEADER && { eventHeader: s.EVENT_HEADER }),
  };
}

export type IngressConfig = ReturnType<typeof loadIngressConfig>;
export const INGRESS_CONFIG = Symbol("INGRESS_CONFIG");

/**
 * Validates the fixed variables and every `STANDARD_WEBHOOK_*` and `HMAC_WEBHOOK_*` one: the schema is built from
 * the names present, so each message names the variable to fix, and an unknown one (a typo) stops the service.
 */
export function loadIngressConfig(env: Env = process.env) {
  return loadConfig(schemaFor(env), env);
}
