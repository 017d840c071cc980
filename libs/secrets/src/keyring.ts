import { type DataKey, decrypt, deriveKey, encrypt, isEncrypted, kidOf } from "./cipher";
import { UnknownKeyError } from "./errors";

/**
 * The current key, which encrypts, and the previous ones, which still decrypt while `secrets:rotate-key`
 * re-encrypts what they protect.
 */
export class Keyring {
  readonly current: DataKey;
  private readonly byKid = new Map<string, DataKey>();

  constructor(currentMaterial: string, previousMaterials: readonly string[] = []) {
    this.current = deriveKey(currentMaterial);
    for (const k of [this.current, ...previousMaterials.map(deriveKey)]) if (!this.byKid.has(k.kid)) this.byKid.set(k.kid, k);
  }

  get kids(): string[] {
    return [...this.byKid.keys()];
  }

  encrypt(plaintext: string): string {
    return encrypt(plaintext, this.current);
  }

  decrypt(value: string): string {
    const kid = kidOf(value);
    const key = this.byKid.get(kid);
    if (!key) throw new UnknownKeyError(kid);
    return decrypt(value, key);
  }

  /** Plaintext (stored before encryption existed) or encrypted under a previous key. */
  needsEncryption(value: string): boolean {
    return !isEncrypted(value) || kidOf(value) !== this.current.kid;
  }

  /** Re-encrypts under the current key: plaintext as is, ciphertext after decrypting it with its own key. */
  reencrypt(value: string): string {
    return this.encrypt(isEncrypted(value) ? this.decrypt(value) : value);
  }
}
