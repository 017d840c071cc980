/**
 * Decodes a provided digest of exactly `bytes` bytes, only in its canonical spelling: lower-case hex, or standard
 * base64 with padding (what the providers send and what their reference libraries compare as strings). Any other
 * spelling is undefined, so a digest has one accepted form and no change to its text leaves it valid.
 */
export function decodeDigest(text: string, encoding: "hex" | "base64", bytes: number): Buffer | undefined {
  if (encoding === "hex") return text.length === bytes * 2 && /^[0-9a-f]+$/.test(text) ? Buffer.from(text, "hex") : undefined;
  if (text.length !== Math.ceil(bytes / 3) * 4) return undefined;
  const decoded = Buffer.from(text, "base64");
  return decoded.length === bytes && decoded.toString("base64") === text ? decoded : undefined;
}

/** Digest size of each HMAC algorithm the verifiers use. */
export const DIGEST_BYTES = { sha256: 32, sha512: 64 } as const;
