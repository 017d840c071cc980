import fc from "fast-check";
import { isEncrypted, kidOf } from "./cipher";
import { DecryptionError, SecretError, UnknownKeyError } from "./errors";
import { Keyring } from "./keyring";

const OLD = "old-key-material-0123456789abcdef";
const NEW = "new-key-material-0123456789abcdef";

describe("Keyring", () => {
  it("decrypts with the current key or a previous one, and encrypts with the current one only", () => {
    const before = new Keyring(OLD).encrypt("whsec_one");
    const ring = new Keyring(NEW, [OLD]);
    expect(ring.decrypt(before)).toBe("whsec_one");
    const after = ring.encrypt("whsec_two");
    expect(kidOf(after)).toBe(ring.current.kid);
    expect(new Keyring(NEW).decrypt(after)).toBe("whsec_two");
  });

  it("refuses a key id it does not hold, with a typed, categorized error", () => {
    const value = new Keyring(OLD).encrypt("whsec_one");
    const ring = new Keyring(NEW);
    expect(() => ring.decrypt(value)).toThrow(UnknownKeyError);
    try {
      ring.decrypt(value);
    } catch (e) {
      expect(e).toBeInstanceOf(SecretError);
      expect((e as SecretError).category).toBe("unknown");
      expect((e as Error).message).not.toContain("whsec_one");
    }
  });

  it("needs encryption for plaintext and old-key values, not for current ones; reencrypt converges in one step", () => {
    const ring = new Keyring(NEW, [OLD]);
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((s) => !isEncrypted(s)), fc.boolean(), (plaintext, underOld) => {
        const stored = underOld ? new Keyring(OLD).encrypt(plaintext) : plaintext;
        expect(ring.needsEncryption(stored)).toBe(true);
        const once = ring.reencrypt(stored);
        expect(ring.needsEncryption(once)).toBe(false);
        expect(ring.decrypt(once)).toBe(plaintext);
      }),
    );
  });

  it("does not confuse two keys whose derived ids match: authentication still fails", () => {
    const ring = new Keyring(NEW);
    const forged = new Keyring(OLD).encrypt("x").replace(/^enc:v1:[0-9a-f]+:/, `enc:v1:${ring.current.kid}:`);
    expect(() => ring.decrypt(forged)).toThrow(DecryptionError);
  });
});
