import { decodeDigest } from "./encoding";
import { signedByAnySecret } from "./secrets";
import { firstHeader, parsePairs, valuesOf } from "./signature-header";
import { timestampProblem } from "./tolerance";
import { accepted, reject, type Verifier } from "./verifier";

const SECRET_PREFIX = "whsec_";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The HMAC key of a Standard Webhooks secret: the base64 after `whsec_`, or the whole secret read as base64 when it
 * has no prefix (as the spec's reference libraries do). Undefined when that is not base64, so the service can refuse
 * such a secret at startup; the verifier skips it.
 */
export function standardWebhookKey(secret: string): Buffer | undefined {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!BASE64.test(encoded)) return undefined;
  const key = Buffer.from(encoded, "base64");
  return key.length > 0 ? key : undefined;
}

/**
 * Standard Webhooks (Svix, Clerk…): `webhook-id`, `webhook-timestamp` and `webhook-signature` (or their `svix-`
 * aliases); the signature header holds space-separated `<version>,<base64>` entries of which only `v1` (HMAC-SHA256
 * of `${id}.${timestamp}.${rawBody}`) are checked, any one matching any secret. The timestamp must be in tolerance.
 */
export const verifyStandardWebhook: Verifier = (input) => {
  const value = firstHeader(input, "webhook-signature", "svix-signature");
  if (!value) return reject("missing_signature", "webhook-signature header is missing");
  const id = firstHeader(input, "webhook-id", "svix-id");
  if (!id) return reject("missing_header", "webhook-id header is missing");
  const entries = parsePairs(value, " ", ",");
  if (!entries) return reject("malformed_signature", "webhook-signature must be space-separated <version>,<base64> entries");
  const signatures = valuesOf(entries, "v1").map((b64) => decodeDigest(b64, "base64", 32));
  if (signatures.length === 0) return reject("missing_signature", "webhook-signature carries no v1 signature");
  if (signatures.some((digest) => digest === undefined)) return reject("malformed_signature", "each v1 signature must be 32 bytes in padded base64");
  const timestamp = firstHeader(input, "webhook-timestamp", "svix-timestamp");
  const stale = timestampProblem(timestamp, input);
  if (stale) return stale;
  const data = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), input.rawBody]);
  const ok = signedByAnySecret({ algorithm: "sha256", secrets: input.secrets, key: standardWebhookKey, data, provided: signatures as Buffer[] });
  return ok ? accepted : reject("invalid_signature", "signature does not match any configured secret");
};
