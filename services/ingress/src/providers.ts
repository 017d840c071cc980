import { createHash } from "node:crypto";
import type { WebhookSource } from "@hookstream/contracts";
import type { HmacSettings, SourceConfig } from "./config";
import { makeHmacVerifier } from "./verifiers/generic-hmac.verifier";
import { verifyGithub } from "./verifiers/github.verifier";
import { verifyInngest } from "./verifiers/inngest.verifier";
import { verifyMeta } from "./verifiers/meta.verifier";
import { firstHeader } from "./verifiers/signature-header";
import { verifyStandardWebhook } from "./verifiers/standard.verifier";
import { verifyStripe } from "./verifiers/stripe.verifier";
import type { Verifier, VerifyInput } from "./verifiers/verifier";

/** What a verified request is, in Hookstream's terms. */
export interface EventDescription {
  /** The dedupe key: becomes `Nats-Msg-Id`, and the router routes an id once. */
  id: string;
  type: string;
  resource: string | null;
  /** Answered inline and never stored (GitHub `ping`). */
  ping: boolean;
}

export type Description = { ok: true; event: EventDescription } | { ok: false; reason: "missing_header" | "malformed_body"; message: string };

export interface Provider {
  verify: Verifier;
  /** Reads id, type and resource from a verified request and its parsed body. */
  describe(input: VerifyInput, payload: unknown): Description;
  /** Provider headers stored with the event; signatures never are. */
  keptHeaders: string[];
  /** Headers that carry a signature: never logged. */
  signatureHeaders: string[];
}

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);
const field = (o: unknown, key: string): unknown => (o && typeof o === "object" ? (o as Record<string, unknown>)[key] : undefined);
const described = (id: string, type: string, resource: string | null, ping = false): Description => ({ ok: true, event: { id, type, resource, ping } });
const missingHeader = (name: string): Description => ({ ok: false, reason: "missing_header", message: `${name} header is missing` });
const malformedBody = (message: string): Description => ({ ok: false, reason: "malformed_body", message });
const COMMON_HEADERS = ["user-agent", "content-type"];

export const github: Provider = {
  verify: verifyGithub,
  describe(input, payload) {
    const id = firstHeader(input, "x-github-delivery");
    const type = firstHeader(input, "x-github-event");
    if (!id) return missingHeader("X-GitHub-Delivery");
    if (!type) return missingHeader("X-GitHub-Event");
    const resource = str(field(field(payload, "repository"), "full_name")) ?? str(field(field(payload, "organization"), "login"));
    return described(id, type, resource, type === "ping");
  },
  keptHeaders: ["x-github-event", "x-github-delivery", "x-github-hook-id", "x-github-hook-installation-target-type", "x-github-hook-installation-target-id", ...COMMON_HEADERS],
  signatureHeaders: ["x-hub-signature-256", "x-hub-signature"],
};

/** Stripe: id and type from the event body; a Connect event names its connected account. */
export const stripe: Provider = {
  verify: verifyStripe,
  describe(_input, payload) {
    const id = str(field(payload, "id"));
    const type = str(field(payload, "type"));
    if (!id || !type) return malformedBody("a Stripe event needs a string id and type");
    return described(id, type, str(field(payload, "account")));
  },
  keptHeaders: COMMON_HEADERS,
  signatureHeaders: ["stripe-signature"],
};

/** Inngest: id and event name from the body. */
export const inngest: Provider = {
  verify: verifyInngest,
  describe(_input, payload) {
    const id = str(field(payload, "id"));
    const type = str(field(payload, "name"));
    if (!id || !type) return malformedBody("an Inngest event needs a string id and name");
    return described(id, type, null);
  },
  keptHeaders: COMMON_HEADERS,
  signatureHeaders: ["x-inngest-signature"],
};

/** Object keys sorted at every level: the same content always has the same text, however it was serialized. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Meta sends no delivery id. Its entries carry the ids (page or business account, messages, statuses), but ids alone
 * would merge distinct notifications: a WhatsApp message's sent, delivered and read statuses share its id, as do a
 * comment's add and remove. So the id is a digest of the entries whole (canonical JSON): a retry of the same
 * notifications gets the same id, and no two different ones do. Null when the body has no entry with an id.
 */
export function metaEventId(payload: unknown): string | null {
  const entries = field(payload, "entry");
  if (!Array.isArray(entries) || entries.length === 0) return null;
  if (!entries.every((e) => ["string", "number"].includes(typeof field(e, "id")))) return null;
  return `meta_${createHash("sha256").update(canonicalJson(entries)).digest("hex").slice(0, 32)}`;
}

/** Meta (WhatsApp, Messenger, Instagram): the type is the body's `object`; the resource is the entries' id when they share one. */
export const meta: Provider = {
  verify: verifyMeta,
  describe(_input, payload) {
    const id = metaEventId(payload);
    const type = str(field(payload, "object"));
    if (!id) return malformedBody("a Meta notification needs entries, each with an id");
    if (!type) return malformedBody("a Meta notification needs an object");
    const entryIds = new Set((field(payload, "entry") as unknown[]).map((e) => String(field(e, "id"))));
    return described(id, type, entryIds.size === 1 ? [...entryIds][0]! : null);
  },
  keptHeaders: COMMON_HEADERS,
  signatureHeaders: ["x-hub-signature-256", "x-hub-signature"],
};

const STANDARD_SIGNATURE_HEADERS = ["webhook-signature", "svix-signature"];

/**
 * Standard Webhooks source `name`: id from `webhook-id`, type from the body's `type` (the spec's payload shape).
 * Ids and resource carry the name: several senders share the source `standard`, and the router keys on (source, id).
 */
export function standard(name: string): Provider {
  return {
    verify: verifyStandardWebhook,
    describe(input, payload) {
      const id = firstHeader(input, "webhook-id", "svix-id");
      const type = str(field(payload, "type"));
      if (!id) return missingHeader("webhook-id");
      if (!type) return malformedBody("a Standard Webhooks payload needs a string type");
      return described(`${name}:${id}`, type, name);
    },
    keptHeaders: ["webhook-id", "webhook-timestamp", "svix-id", "svix-timestamp", ...COMMON_HEADERS],
    signatureHeaders: STANDARD_SIGNATURE_HEADERS,
  };
}

/** Signature headers of every provider but generic HMAC (whose header is configured). */
export const SIGNATURE_HEADERS = [...[github, stripe, meta, inngest].flatMap((p) => p.signatureHeaders), ...STANDARD_SIGNATURE_HEADERS];

/** Generic HMAC source `name`: id (and type, when configured) from headers; named as Standard Webhooks sources are. */
export function genericHmac(name: string, settings: HmacSettings): Provider {
  const { idHeader, eventHeader, timestampHeader } = settings;
  return {
    verify: makeHmacVerifier(settings),
    describe(input) {
      const id = firstHeader(input, idHeader);
      const type = eventHeader ? firstHeader(input, eventHeader) : "webhook";
      if (!id) return missingHeader(idHeader);
      if (!type) return missingHeader(eventHeader!);
      return described(`${name}:${id}`, type, name);
    },
    keptHeaders: [idHeader, ...(eventHeader ? [eventHeader] : []), ...(timestampHeader ? [timestampHeader] : []), ...COMMON_HEADERS],
    signatureHeaders: [settings.signatureHeader.toLowerCase()],
  };
}

/** Every provider ingress serves, by kind: its path under `/webhooks/`, and the provider a configured source gets. */
export const PROVIDERS: Record<WebhookSource, { path: string; provider(source: SourceConfig): Provider }> = {
  github: { path: "github", provider: () => github },
  stripe: { path: "stripe", provider: () => stripe },
  standard: { path: "standard/:name", provider: (s) => standard(s.name!) },
  meta: { path: "meta", provider: () => meta },
  inngest: { path: "inngest", provider: () => inngest },
  hmac: { path: "hmac/:name", provider: (s) => genericHmac(s.name!, s.hmac!) },
};

/** A configured source, ready to serve. */
export interface Source extends SourceConfig {
  /** `github`, `standard/clerk`: its path under `/webhooks/`, and its `source` metric label. */
  key: string;
  provider: Provider;
}

/** The configured sources (Source[]), built once from the configuration. */
export const SOURCES = Symbol("SOURCES");

export function sourceOf(config: SourceConfig): Source {
  const { path, provider } = PROVIDERS[config.kind];
  return { ...config, key: config.name ? path.replace(":name", config.name) : path, provider: provider(config) };
}

/** Whether an event type is stored: all are when no pattern is given; a pattern ending in `*` matches a prefix. */
export function eventAllowed(patterns: string[], type: string): boolean {
  return patterns.length === 0 || patterns.some((p) => (p.endsWith("*") ? type.startsWith(p.slice(0, -1)) : p === type));
}
