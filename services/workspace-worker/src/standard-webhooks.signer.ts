import { createHmac } from "node:crypto";

/** The key inside a `whsec_<base64>` secret. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ""), "base64");
}

/**
 * Standard Webhooks headers for one delivery: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
 * The id stays the same across retries, so a destination can drop a repeat.
 */
export function signDelivery(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  const signature = createHmac("sha256", secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${signature}`,
  };
}
