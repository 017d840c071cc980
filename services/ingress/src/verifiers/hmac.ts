import { createHmac, timingSafeEqual } from "node:crypto";

export function hmac(algorithm: "sha256" | "sha512", key: string | Buffer, data: Buffer | string): Buffer {
  return createHmac(algorithm, key).update(data).digest();
}

/** Constant-time comparison of a computed digest with a provided one (already decoded); false on length mismatch. */
export function digestEquals(expected: Buffer, provided: Buffer): boolean {
  return expected.length === provided.length && timingSafeEqual(expected, provided);
}
