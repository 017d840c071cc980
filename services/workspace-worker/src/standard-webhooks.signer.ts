import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { BoundedCache } from "@hookstream/collections";
import type { SealedSecret } from "@hookstream/subscriptions";

/**
 * Signing keys, named by the secret's encrypted form: a delivery neither decrypts the secret nor decodes the
 * `whsec_` text again (together most of its signing cost), and no secret in clear is kept in the JS heap (a
 * KeyObject holds its bytes outside it).
 */
const keys = new BoundedCache<string, KeyObject>(10_000, 10 * 60_000);

/** The key inside a `whsec_<base64>` secret. */
function secretKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ""), "base64");
}

function signingKey(secret: SealedSecret): KeyObject {
  let key = keys.get(secret.sealed);
  if (!key) keys.set(secret.sealed, (key = createSecretKey(secretKey(secret.open()))));
  return key;
}

/**
 * Standard Webhooks headers for one delivery: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
 * The id stays the same across retries, so a destination can drop a repeat.
 */
export function signDelivery(secret: SealedSecret, id: string, timestampSeconds: number, body: string): Record<string, string> {
  const signature = createHmac("sha256", signingKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${signature}`,
  };
}
