import { digestEquals, hmac } from "./hmac";
import { accepted, header, reject, type Verifier } from "./verifier";

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, any configured secret. */
export const verifyGithub: Verifier = (input) => {
  const value = header(input, "x-hub-signature-256");
  if (!value) return reject("missing_signature", "X-Hub-Signature-256 header is missing");
  const match = SIGNATURE.exec(value.trim());
  if (!match) return reject("malformed_signature", "X-Hub-Signature-256 must be sha256=<64 hex digits>");
  const provided = Buffer.from(match[1]!, "hex");
  const ok = input.secrets.some((secret) => digestEquals(hmac("sha256", secret, input.rawBody), provided));
  return ok ? accepted : reject("invalid_signature", "signature does not match any configured secret");
};
