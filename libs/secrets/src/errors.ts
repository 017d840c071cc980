import { HookstreamError } from "@hookstream/contracts";

/**
 * Why a stored secret could not be read. Never carries the plaintext or the key. `unknown`: a job that cannot
 * sign backs off and retries (the operator may be restoring a key in HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS), then
 * dead-letters, from where it can be replayed.
 */
export class SecretError extends HookstreamError {
  constructor(
    readonly reason: "malformed" | "unknown_key" | "authentication_failed",
    message: string,
  ) {
    super("unknown", message);
    this.name = "SecretError";
  }
}

/** Not `enc:v1:<kid>:<iv>:<tag>:<ct>`, or a part has the wrong size. */
export class MalformedCiphertextError extends SecretError {
  constructor(message: string) {
    super("malformed", `encrypted secret is malformed: ${message}`);
    this.name = "MalformedCiphertextError";
  }
}

/** Encrypted under a key that is neither HOOKSTREAM_ENCRYPTION_KEY nor one of HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS. */
export class UnknownKeyError extends SecretError {
  constructor(readonly kid: string) {
    super("unknown_key", `secret was encrypted under key ${kid}, which is neither HOOKSTREAM_ENCRYPTION_KEY nor in HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS`);
    this.name = "UnknownKeyError";
  }
}

/** The GCM tag does not verify: the ciphertext, IV, tag or key id was altered, or the key is not the one used. */
export class DecryptionError extends SecretError {
  constructor(readonly kid: string) {
    super("authentication_failed", `secret encrypted under key ${kid} failed authentication (altered, or a different key with the same id)`);
    this.name = "DecryptionError";
  }
}
