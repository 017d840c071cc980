import { decodeDigest } from "./encoding";
import { signedByAnySecret } from "./secrets";
import { firstHeader, parsePairs, valuesOf } from "./signature-header";
import { timestampProblem } from "./tolerance";
import { accepted, reject, type Verifier } from "./verifier";

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`, each `v1` the hex HMAC-SHA256 of
 * `${t}.${rawBody}` keyed with the endpoint secret as written (`whsec_…`, not decoded). Any `v1` under any
 * configured secret passes; `v0` and unknown schemes are ignored; `t` must be within the tolerance.
 */
export const verifyStripe: Verifier = (input) => {
  const value = firstHeader(input, "stripe-signature");
  if (!value) return reject("missing_signature", "Stripe-Signature header is missing");
  const pairs = parsePairs(value, ",", "=");
  if (!pairs) return reject("malformed_signature", "Stripe-Signature must be t=<unix>,v1=<hex>[,v1=<hex>…]");
  const timestamps = valuesOf(pairs, "t");
  if (timestamps.length > 1) return reject("malformed_signature", "Stripe-Signature carries more than one t");
  const signatures = valuesOf(pairs, "v1").map((hex) => decodeDigest(hex, "hex", 32));
  if (signatures.length === 0) return reject("missing_signature", "Stripe-Signature carries no v1 signature");
  if (signatures.some((digest) => digest === undefined)) return reject("malformed_signature", "each v1 must be 64 lower-case hex digits");
  const stale = timestampProblem(timestamps[0], input);
  if (stale) return stale;
  const data = Buffer.concat([Buffer.from(`${timestamps[0]}.`), input.rawBody]);
  const ok = signedByAnySecret({ algorithm: "sha256", secrets: input.secrets, data, provided: signatures as Buffer[] });
  return ok ? accepted : reject("invalid_signature", "signature does not match any configured secret");
};
