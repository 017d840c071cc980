import { secretEquals } from "@hookstream/platform";
import { makeHmacVerifier } from "./generic-hmac.verifier";
import type { RejectReason } from "./verifier";

/** Meta (WhatsApp, Messenger, Instagram): `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` keyed with the app secret; no timestamp. */
export const verifyMeta = makeHmacVerifier({ algorithm: "sha256", encoding: "hex", signatureHeader: "X-Hub-Signature-256", prefix: "sha256=" });

export type MetaHandshake = { ok: true; challenge: string } | { ok: false; reason: RejectReason; message: string };

/** What is echoed: Meta sends an integer; anything outside URL-unreserved characters is refused rather than reflected. */
const CHALLENGE = /^[A-Za-z0-9._~-]{1,256}$/;

const refuse = (reason: RejectReason, message: string): MetaHandshake => ({ ok: false, reason, message });

/**
 * Meta's subscription handshake (`GET` with `hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`; the keys are the
 * literal dotted names): the challenge to echo as `text/plain` when the token is one of `verifyTokens`, else a
 * rejection with the signature codes (token missing: `missing_signature`; wrong, or none configured:
 * `invalid_signature`; other mode, or a missing or unsafe challenge: `malformed_signature`). Never throws.
 */
export function answerMetaHandshake(query: Record<string, unknown>, verifyTokens: string[]): MetaHandshake {
  const param = (key: string): string | undefined => {
    const value = query?.[key];
    return typeof value === "string" && value.length > 0 ? value : undefined;
  };
  if (param("hub.mode") !== "subscribe") return refuse("malformed_signature", "hub.mode must be subscribe");
  const token = param("hub.verify_token");
  if (!token) return refuse("missing_signature", "hub.verify_token is missing");
  const challenge = param("hub.challenge");
  if (!challenge || !CHALLENGE.test(challenge)) return refuse("malformed_signature", "hub.challenge is missing or not a plain token");
  const known = verifyTokens.some((configured) => typeof configured === "string" && configured.length > 0 && secretEquals(configured, token));
  return known ? { ok: true, challenge } : refuse("invalid_signature", "hub.verify_token does not match");
}
