import { digestEquals, hmac } from "./hmac";

export interface SecretMatch {
  algorithm: "sha256" | "sha512";
  /** Every secret currently accepted (rotation), as configured. */
  secrets: string[];
  /** The HMAC key a secret stands for (a prefix stripped, base64 decoded…); undefined when unusable. Default: the secret itself. */
  key?: (secret: string) => string | Buffer | undefined;
  /** The exact signed bytes. */
  data: Buffer;
  /** Digests from the request, already decoded; any one may match. */
  provided: Buffer[];
}

/**
 * True when some provided digest is the HMAC of `data` under some configured secret, each compared in constant
 * time. Empty secrets and keys are skipped: a signature under an empty key is one anybody can make.
 */
export function signedByAnySecret({ algorithm, secrets, key = (secret) => secret, data, provided }: SecretMatch): boolean {
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length === 0) continue;
    const bytes = key(secret);
    if (bytes === undefined || bytes.length === 0) continue;
    const expected = hmac(algorithm, bytes, data);
    if (provided.some((digest) => digestEquals(expected, digest))) return true;
  }
  return false;
}
