import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { BoundedCache } from "@hookstream/collections";

/** Signing keys kept decoded: building one from the `whsec_` text is a tenth of a delivery's signing cost. */
const keys = new BoundedCache<string, KeyObject>(10_000, 10 * 60_000);

/** The key inside a `whsec_<base64>` secret. */
function secretKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ""), "base64");
}

function signingKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(secretKey(secret))));
  return key;
}

/**
 * Standard Webhooks headers for one delivery: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
 * The id stays the same across retries, so a destination can drop a repeat.
 */
export function signDelivery(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  const signature = createHmac("sha256", signingKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${signature}`,
  };
}
