import { decodeDigest } from "./encoding";
import { signedByAnySecret } from "./secrets";
import { firstHeader, parsePairs, valuesOf } from "./signature-header";
import { timestampProblem } from "./tolerance";
import { accepted, reject, type Verifier } from "./verifier";

/**
 * The HMAC key of an Inngest signing key, exactly as the inngest JS SDK's `signDataWithKey` derives it: the first
 * `signkey-<env>-` removed and the rest (the hex text) used as a UTF-8 string, not hex-decoded.
 */
export const inngestHmacKey = (signingKey: string): string => signingKey.replace(/signkey-\w+-/, "");

/**
 * Inngest: `X-Inngest-Signature: t=<unix>&s=<hex>`, `s` the hex HMAC-SHA256 of `${rawBody}${t}` (body first, no
 * separator) keyed with {@link inngestHmacKey}; any configured signing key (current or fallback) passes.
 */
export const verifyInngest: Verifier = (input) => {
  const value = firstHeader(input, "x-inngest-signature");
  if (!value) return reject("missing_signature", "X-Inngest-Signature header is missing");
  const pairs = parsePairs(value, "&", "=");
  if (!pairs) return reject("malformed_signature", "X-Inngest-Signature must be t=<unix>&s=<hex>");
  const timestamps = valuesOf(pairs, "t");
  const signatures = valuesOf(pairs, "s");
  if (timestamps.length > 1 || signatures.length > 1) return reject("malformed_signature", "X-Inngest-Signature carries t or s twice");
  if (signatures.length === 0) return reject("missing_signature", "X-Inngest-Signature carries no s");
  const provided = decodeDigest(signatures[0]!, "hex", 32);
  if (!provided) return reject("malformed_signature", "s must be 64 lower-case hex digits");
  const stale = timestampProblem(timestamps[0], input);
  if (stale) return stale;
  const data = Buffer.concat([input.rawBody, Buffer.from(timestamps[0]!)]);
  const ok = signedByAnySecret({ algorithm: "sha256", secrets: input.secrets, key: inngestHmacKey, data, provided: [provided] });
  return ok ? accepted : reject("invalid_signature", "signature does not match any configured signing key");
};
