import { DIGEST_BYTES, decodeDigest } from "./encoding";
import { signedByAnySecret } from "./secrets";
import { firstHeader, MAX_SIGNATURE_HEADER_LENGTH } from "./signature-header";
import { timestampProblem } from "./tolerance";
import { accepted, reject, type Verifier } from "./verifier";

export interface HmacVerifierOptions {
  algorithm: "sha256" | "sha512";
  /** How the digest is written: lower-case hex, or standard base64 with padding. */
  encoding: "hex" | "base64";
  /** Header holding the signature (any case). */
  signatureHeader: string;
  /** Text before the digest in the header, e.g. `sha256=`; matched exactly. */
  prefix?: string;
  /** Header holding integer Unix seconds; when set, the timestamp must be in tolerance and is signed. */
  timestampHeader?: string;
  /** What is signed: the raw body, or `${timestamp}.${rawBody}`. Default: `timestamp.body` with a timestamp header, else `body`. */
  signedContent?: "body" | "timestamp.body";
}

/**
 * A verifier for a plain HMAC scheme described by configuration: the secrets are used as written (UTF-8 keys).
 * Throws (at configuration time, never per request) on options that cannot verify anything safely, among them a
 * timestamp header that is not signed, which would give a replay window that is not one.
 */
export function makeHmacVerifier(options: HmacVerifierOptions): Verifier {
  const { algorithm, encoding, prefix = "" } = options;
  if (!Object.hasOwn(DIGEST_BYTES, algorithm)) throw new TypeError(`unsupported HMAC algorithm ${String(algorithm)}`);
  if (encoding !== "hex" && encoding !== "base64") throw new TypeError(`unsupported digest encoding ${String(encoding)}`);
  if (!options.signatureHeader) throw new TypeError("signatureHeader is required");
  const signatureHeader = options.signatureHeader.toLowerCase();
  const timestampHeader = options.timestampHeader?.toLowerCase();
  const signedContent = options.signedContent ?? (timestampHeader ? "timestamp.body" : "body");
  if (signedContent === "timestamp.body" && !timestampHeader) throw new TypeError("signedContent timestamp.body needs a timestampHeader");
  if (signedContent === "body" && timestampHeader) throw new TypeError("a timestampHeader must be signed (signedContent timestamp.body)");
  const bytes = DIGEST_BYTES[algorithm];
  const shape = `${prefix}<${bytes}-byte ${algorithm} digest in ${encoding}>`;

  return (input) => {
    const value = firstHeader(input, signatureHeader);
    if (!value) return reject("missing_signature", `${options.signatureHeader} header is missing`);
    const text = value.length <= MAX_SIGNATURE_HEADER_LENGTH ? value.trim() : "";
    const provided = text.startsWith(prefix) ? decodeDigest(text.slice(prefix.length), encoding, bytes) : undefined;
    if (!provided) return reject("malformed_signature", `${options.signatureHeader} must be ${shape}`);
    let data = input.rawBody;
    if (timestampHeader) {
      const timestamp = firstHeader(input, timestampHeader);
      const stale = timestampProblem(timestamp, input);
      if (stale) return stale;
      data = Buffer.concat([Buffer.from(`${timestamp}.`), input.rawBody]);
    }
    const ok = signedByAnySecret({ algorithm, secrets: input.secrets, data, provided: [provided] });
    return ok ? accepted : reject("invalid_signature", "signature does not match any configured secret");
  };
}
