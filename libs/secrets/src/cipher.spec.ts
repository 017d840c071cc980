import fc from "fast-check";
import { CIPHERTEXT_PREFIX, decrypt, deriveKey, encrypt, isEncrypted, kidOf } from "./cipher";
import { DecryptionError, MalformedCiphertextError } from "./errors";

const KEY = deriveKey("k".repeat(32));
const OTHER = deriveKey("o".repeat(32));

/** Replaces field `i` (0 kid, 1 iv, 2 tag, 3 ciphertext) of an encrypted value. */
function withField(value: string, i: number, f: (field: string) => string): string {
  const fields = value.slice(CIPHERTEXT_PREFIX.length).split(":");
  fields[i] = f(fields[i]!);
  return CIPHERTEXT_PREFIX + fields.join(":");
}

/** Flips one bit of a base64url field, at a byte chosen by `at`. */
function flipBit(field: string, at: number, bit: number): string {
  const bytes = Buffer.from(field, "base64url");
  bytes[at % bytes.length]! ^= 1 << bit;
  return bytes.toString("base64url");
}

describe("deriveKey", () => {
  it("derives a 32-byte key and a key id that is stable, differs between keys and is not part of the key", () => {
    expect(KEY.key).toHaveLength(32);
    expect(deriveKey("k".repeat(32))).toEqual(KEY);
    expect(OTHER.kid).not.toBe(KEY.kid);
    expect(KEY.key.toString("hex")).not.toContain(KEY.kid);
    expect(KEY.kid).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("encrypt / decrypt", () => {
  it("round-trips any text, with a fresh IV each time and no plaintext in the output", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4, unit: "grapheme" }), (plaintext) => {
        const a = encrypt(plaintext, KEY);
        const b = encrypt(plaintext, KEY);
        expect(a).not.toBe(b);
        expect(isEncrypted(a)).toBe(true);
        expect(kidOf(a)).toBe(KEY.kid);
        expect(a.slice(CIPHERTEXT_PREFIX.length)).not.toContain(plaintext);
        expect(decrypt(a, KEY)).toBe(plaintext);
      }),
    );
  });

  it("refuses a value with any bit of its IV, tag or ciphertext flipped", () => {
    const value = encrypt("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", KEY);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (field, at, bit) => {
        expect(() => decrypt(withField(value, field, (f) => flipBit(f, at, bit)), KEY)).toThrow(DecryptionError);
      }),
    );
  });

  it("refuses the wrong key, and a ciphertext relabelled with the other key's id", () => {
    const value = encrypt("secret", KEY);
    expect(() => decrypt(value, OTHER)).toThrow(DecryptionError);
    const relabelled = withField(encrypt("secret", OTHER), 0, () => KEY.kid);
    expect(() => decrypt(relabelled, KEY)).toThrow(DecryptionError);
  });

  it("refuses malformed values with a typed error that does not echo them", () => {
    const value = encrypt("secret", KEY);
    for (const bad of ["whsec_plain", "enc:v1:", `${value}:extra`, withField(value, 1, () => "AAAA"), withField(value, 2, (f) => f.slice(4)), withField(value, 3, () => "not base64!"), withField(value, 0, () => "ZZ")]) {
      expect(() => decrypt(bad, KEY)).toThrow(MalformedCiphertextError);
      try {
        decrypt(bad, KEY);
      } catch (e) {
        if (bad !== CIPHERTEXT_PREFIX) expect((e as Error).message).not.toContain(bad);
      }
    }
  });
});
