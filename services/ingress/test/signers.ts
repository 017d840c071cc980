import { createHmac } from "node:crypto";
import { GITHUB_SECRET, type TestStack } from "../../../test/support/stack";

/**
 * Providers' signatures, written from their public specs with node:crypto alone (not with ingress's verifiers),
 * and the ingress configuration that accepts them.
 */
export const SECRETS = {
  github: GITHUB_SECRET,
  stripe: "whsec_int_stripe",
  standard: Buffer.from("int-standard-webhooks-key-0123456789").toString("base64"),
  meta: "int-meta-app-secret",
  metaVerifyToken: "int-verify-token",
  inngest: `signkey-test-${"ab12".repeat(16)}`,
  hmac: "int-acme-secret",
};

export const ALL_PROVIDERS_ENV: Record<string, string> = {
  GITHUB_WEBHOOK_SECRET: SECRETS.github,
  STRIPE_WEBHOOK_SECRET: `whsec_int_previous,${SECRETS.stripe}`,
  STANDARD_WEBHOOK_SECRET_CLERK: `whsec_${SECRETS.standard}`,
  META_APP_SECRET: SECRETS.meta,
  META_VERIFY_TOKEN: SECRETS.metaVerifyToken,
  INNGEST_SIGNING_KEY: SECRETS.inngest,
  HMAC_WEBHOOK_ACME_SECRET: SECRETS.hmac,
  HMAC_WEBHOOK_ACME_ALGORITHM: "sha512",
  HMAC_WEBHOOK_ACME_ENCODING: "base64",
  HMAC_WEBHOOK_ACME_SIGNATURE_HEADER: "X-Acme-Signature",
  HMAC_WEBHOOK_ACME_TIMESTAMP_HEADER: "X-Acme-Timestamp",
  HMAC_WEBHOOK_ACME_ID_HEADER: "X-Acme-Delivery",
  HMAC_WEBHOOK_ACME_EVENT_HEADER: "X-Acme-Event",
};

const mac = (algorithm: string, key: string | Buffer, data: string, encoding: "hex" | "base64" = "hex") => createHmac(algorithm, key).update(data).digest(encoding);
export const now = () => Math.floor(Date.now() / 1000);

/** The headers each provider sends with `body`; `secret` and `t` default to the configured secret and now. */
export const signed = {
  github: (body: string, o: { delivery: string; event?: string; secret?: string }) => ({
    "x-github-delivery": o.delivery,
    "x-github-event": o.event ?? "push",
    "x-hub-signature-256": `sha256=${mac("sha256", o.secret ?? SECRETS.github, body)}`,
  }),
  stripe: (body: string, o: { t?: number; secret?: string } = {}) => {
    const t = o.t ?? now();
    return { "stripe-signature": `t=${t},v1=${mac("sha256", o.secret ?? SECRETS.stripe, `${t}.${body}`)}` };
  },
  standard: (body: string, o: { id: string; t?: number; key?: string }) => {
    const t = String(o.t ?? now());
    const signature = mac("sha256", Buffer.from(o.key ?? SECRETS.standard, "base64"), `${o.id}.${t}.${body}`, "base64");
    return { "webhook-id": o.id, "webhook-timestamp": t, "webhook-signature": `v1,${signature}` };
  },
  meta: (body: string, o: { secret?: string } = {}) => ({ "x-hub-signature-256": `sha256=${mac("sha256", o.secret ?? SECRETS.meta, body)}` }),
  inngest: (body: string, o: { t?: number } = {}) => {
    const t = String(o.t ?? now());
    return { "x-inngest-signature": `t=${t}&s=${mac("sha256", SECRETS.inngest.replace(/^signkey-\w+-/, ""), body + t)}` };
  },
  hmac: (body: string, o: { delivery?: string; event?: string; t?: number }) => {
    const t = String(o.t ?? now());
    return {
      ...(o.delivery && { "x-acme-delivery": o.delivery }),
      ...(o.event && { "x-acme-event": o.event }),
      "x-acme-timestamp": t,
      "x-acme-signature": mac("sha512", SECRETS.hmac, `${t}.${body}`, "base64"),
    };
  },
};

/** POSTs `body` as JSON to ingress, with the given headers. */
export function post(stack: TestStack, path: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(stack.url("ingress", path), { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}
