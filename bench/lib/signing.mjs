// Signatures used by the bench: GitHub's X-Hub-Signature-256 (load generator and reference ingress) and
// Standard Webhooks (reference deliveries and the local destinations).
import { createHmac, timingSafeEqual } from "node:crypto";

export const GITHUB_SECRET = "bench-github-secret";

export function githubSignature(secret, body) {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, compared in constant time. */
export function verifyGithub(secret, body, header) {
  const m = /^sha256=([0-9a-f]{64})$/i.exec(String(header ?? "").trim());
  if (!m) return false;
  const want = createHmac("sha256", secret).update(body).digest();
  return timingSafeEqual(want, Buffer.from(m[1], "hex"));
}

/** Every workspace has its own secret, derived from its id, so a destination needs no table to verify it. */
export function workspaceSecret(workspaceId) {
  return `whsec_${createHmac("sha256", "bench-workspace-secrets").update(workspaceId).digest("base64")}`;
}

export function secretKey(secret) {
  return Buffer.from(secret.replace(/^whsec_/, ""), "base64");
}

/** Standard Webhooks headers: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function signStandard(key, id, body, timestampSeconds = Math.floor(Date.now() / 1000)) {
  const signature = createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": String(timestampSeconds), "webhook-signature": `v1,${signature}` };
}

/** True when one of the `v1,` signatures matches and the timestamp is within 5 minutes. */
export function verifyStandard(key, headers, body) {
  const id = headers["webhook-id"];
  const ts = headers["webhook-timestamp"];
  const sigs = headers["webhook-signature"];
  if (!id || !ts || !sigs || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const want = Buffer.from(createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64"));
  return sigs.split(" ").some((s) => {
    const sig = Buffer.from(s.slice(3));
    return s.startsWith("v1,") && sig.length === want.length && timingSafeEqual(sig, want);
  });
}
