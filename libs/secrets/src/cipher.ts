import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { DecryptionError, MalformedCiphertextError } from "./errors";

/** `enc:v1:<kid>:<iv>:<tag>:<ciphertext>`, base64url parts: a text column holds it as is. */
export const CIPHERTEXT_PREFIX = "enc:v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID_BYTES = 8;
// Fixed, public domain separation: the key material is the secret, these only keep the two derivations apart.
const SALT = Buffer.from("hookstream/secrets");
const KEY_INFO = Buffer.from("hookstream/secrets/v1/aes-256-gcm");
const KID_INFO = Buffer.from("hookstream/secrets/v1/key-id");

export interface DataKey {
  /** Names the key beside each ciphertext; derived separately, so it says nothing about the key. */
  kid: string;
  key: Buffer;
}

/** AES-256 key and key id from HOOKSTREAM_ENCRYPTION_KEY, with HKDF-SHA256. */
export function deriveKey(material: string): DataKey {
  const ikm = Buffer.from(material, "utf8");
  return {
    kid: Buffer.from(hkdfSync("sha256", ikm, SALT, KID_INFO, KID_BYTES)).toString("hex"),
    key: Buffer.from(hkdfSync("sha256", ikm, SALT, KEY_INFO, 32)),
  };
}

export const isEncrypted = (value: string): boolean => value.startsWith(CIPHERTEXT_PREFIX);

/** The key id of an encrypted value, without decrypting it. */
export function kidOf(value: string): string {
  return parse(value).kid;
}

/** The version and key id are authenticated too: a ciphertext moved under another key id does not decrypt. */
const aad = (kid: string) => Buffer.from(`${CIPHERTEXT_PREFIX}${kid}`);

export function encrypt(plaintext: string, { kid, key }: DataKey): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES }).setAAD(aad(kid));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${CIPHERTEXT_PREFIX}${kid}:${b64(iv)}:${b64(cipher.getAuthTag())}:${b64(ct)}`;
}

/** Decrypts with `key`, which must be the one named by the value's key id (see Keyring). */
export function decrypt(value: string, { kid, key }: DataKey): string {
  const parts = parse(value);
  if (parts.kid !== kid) throw new DecryptionError(parts.kid);
  const decipher = createDecipheriv("aes-256-gcm", key, parts.iv, { authTagLength: TAG_BYTES }).setAAD(aad(kid)).setAuthTag(parts.tag);
  try {
    return Buffer.concat([decipher.update(parts.ct), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptionError(kid);
  }
}

interface Parts {
  kid: string;
  iv: Buffer;
  tag: Buffer;
  ct: Buffer;
}

function parse(value: string): Parts {
  if (!isEncrypted(value)) throw new MalformedCiphertextError(`does not start with ${CIPHERTEXT_PREFIX}`);
  const fields = value.slice(CIPHERTEXT_PREFIX.length).split(":");
  if (fields.length !== 4) throw new MalformedCiphertextError(`expected 4 fields after ${CIPHERTEXT_PREFIX}, found ${fields.length}`);
  const [kid, iv, tag, ct] = fields as [string, string, string, string];
  if (!new RegExp(`^[0-9a-f]{${KID_BYTES * 2}}$`).test(kid)) throw new MalformedCiphertextError("bad key id");
  const parts = { kid, iv: unb64(iv, "iv"), tag: unb64(tag, "tag"), ct: unb64(ct, "ciphertext") };
  if (parts.iv.length !== IV_BYTES) throw new MalformedCiphertextError(`iv must be ${IV_BYTES} bytes`);
  if (parts.tag.length !== TAG_BYTES) throw new MalformedCiphertextError(`tag must be ${TAG_BYTES} bytes`);
  return parts;
}

const b64 = (b: Buffer) => b.toString("base64url");

function unb64(s: string, what: string): Buffer {
  // Buffer.from ignores characters outside the alphabet; a strict check keeps the format canonical.
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new MalformedCiphertextError(`${what} is not base64url`);
  return Buffer.from(s, "base64url");
}
