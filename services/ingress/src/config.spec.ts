import { loadIngressConfig } from "./config";

const STANDARD_SECRET = `whsec_${Buffer.from("standard-secret").toString("base64")}`;
const errorOf = (env: Record<string, string>) => {
  try {
    loadIngressConfig(env);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("configuration was accepted");
};

describe("loadIngressConfig", () => {
  it("serves no source by default, with the documented limits", () => {
    const c = loadIngressConfig({});
    expect(c.sources).toEqual([]);
    expect(c).toMatchObject({
      timestampToleranceS: 300,
      rateLimits: { failuresPerClient: { burst: 30, perMs: 60_000 }, verifiedPerSource: { burst: 10_000, perMs: 1000 }, maxClients: 100_000 },
      timeouts: { headersMs: 10_000, requestMs: 60_000 },
    });
  });

  it("configures each fixed provider from its secret, with rotation lists, allowlists and body limits", () => {
    const c = loadIngressConfig({
      GITHUB_WEBHOOK_SECRET: "new, old",
      GITHUB_WEBHOOK_EVENTS: "push,pull_request",
      STRIPE_WEBHOOK_SECRET: "whsec_s",
      STRIPE_WEBHOOK_EVENTS: "invoice.*",
      STRIPE_WEBHOOK_MAX_BODY_BYTES: "65536",
      META_APP_SECRET: "app",
      META_VERIFY_TOKEN: "token",
      INNGEST_SIGNING_KEY: "signkey-prod-aa",
      INNGEST_SIGNING_KEY_FALLBACK: "signkey-prod-bb",
    });
    const max = 5 * 1024 * 1024;
    expect(c.sources).toEqual([
      { kind: "github", secrets: ["new", "old"], events: ["push", "pull_request"], maxBodyBytes: max },
      { kind: "stripe", secrets: ["whsec_s"], events: ["invoice.*"], maxBodyBytes: 65536 },
      { kind: "meta", secrets: ["app"], events: [], maxBodyBytes: max },
      { kind: "inngest", secrets: ["signkey-prod-aa", "signkey-prod-bb"], events: [], maxBodyBytes: max },
    ]);
    expect(c.metaVerifyTokens).toEqual(["token"]);
  });

  it("treats an empty secret as none: the source stays refused", () => {
    expect(loadIngressConfig({ GITHUB_WEBHOOK_SECRET: "", STRIPE_WEBHOOK_SECRET: " , " }).sources).toEqual([]);
  });

  it("configures Standard Webhooks sources by name, the path being the lower-case name", () => {
    const c = loadIngressConfig({ STANDARD_WEBHOOK_SECRET_CLERK: STANDARD_SECRET, STANDARD_WEBHOOK_EVENTS_CLERK: "user.*", STANDARD_WEBHOOK_MAX_BODY_BYTES_MY_APP: "100", STANDARD_WEBHOOK_SECRET_MY_APP: STANDARD_SECRET });
    expect(c.sources).toEqual([
      { kind: "standard", name: "clerk", secrets: [STANDARD_SECRET], events: ["user.*"], maxBodyBytes: 5 * 1024 * 1024 },
      { kind: "standard", name: "my_app", secrets: [STANDARD_SECRET], events: [], maxBodyBytes: 100 },
    ]);
  });

  it("configures generic HMAC sources by name from the settings beside their secret", () => {
    const c = loadIngressConfig({
      HMAC_WEBHOOK_ACME_SECRET: "s1,s2",
      HMAC_WEBHOOK_ACME_ALGORITHM: "sha512",
      HMAC_WEBHOOK_ACME_ENCODING: "base64",
      HMAC_WEBHOOK_ACME_SIGNATURE_HEADER: "X-Acme-Signature",
      HMAC_WEBHOOK_ACME_SIGNATURE_PREFIX: "v1=",
      HMAC_WEBHOOK_ACME_TIMESTAMP_HEADER: "X-Acme-Timestamp",
      HMAC_WEBHOOK_ACME_ID_HEADER: "X-Acme-Delivery",
      HMAC_WEBHOOK_ACME_EVENT_HEADER: "X-Acme-Event",
      HMAC_WEBHOOK_ACME_EVENTS: "order.created",
      HMAC_WEBHOOK_PLAIN_SECRET: "p",
      HMAC_WEBHOOK_PLAIN_SIGNATURE_HEADER: "x-sig",
      HMAC_WEBHOOK_PLAIN_ID_HEADER: "x-id",
    });
    expect(c.sources).toEqual([
      {
        kind: "hmac",
        name: "acme",
        secrets: ["s1", "s2"],
        events: ["order.created"],
        maxBodyBytes: 5 * 1024 * 1024,
        hmac: { algorithm: "sha512", encoding: "base64", signatureHeader: "x-acme-signature", prefix: "v1=", timestampHeader: "x-acme-timestamp", idHeader: "x-acme-delivery", eventHeader: "x-acme-event" },
      },
      {
        kind: "hmac",
        name: "plain",
        secrets: ["p"],
        events: [],
        maxBodyBytes: 5 * 1024 * 1024,
        hmac: { algorithm: "sha256", encoding: "hex", signatureHeader: "x-sig", prefix: "", idHeader: "x-id" },
      },
    ]);
  });

  it("reads rate limits, proxies and timeouts", () => {
    const c = loadIngressConfig({ WEBHOOK_RATE_LIMIT_FAILURES: "5/10s", WEBHOOK_RATE_LIMIT_VERIFIED: "50/1m", TRUSTED_PROXIES: "10.0.0.0/8, 192.168.1.1", HTTP_HEADERS_TIMEOUT: "2s", HTTP_REQUEST_TIMEOUT: "5s" });
    expect(c.rateLimits).toMatchObject({ failuresPerClient: { burst: 5, perMs: 10_000 }, verifiedPerSource: { burst: 50, perMs: 60_000 } });
    expect([c.trustedProxies.check("10.9.9.9", "ipv4"), c.trustedProxies.check("192.168.1.1", "ipv4"), c.trustedProxies.check("127.0.0.1", "ipv4")]).toEqual([true, true, false]);
    expect(c.timeouts).toEqual({ headersMs: 2000, requestMs: 5000 });
    expect(loadIngressConfig({}).trustedProxies.check("127.0.0.1", "ipv4")).toBe(true);
    expect(loadIngressConfig({ TRUSTED_PROXIES: "none" }).trustedProxies.check("127.0.0.1", "ipv4")).toBe(false);
  });

  it("names the variable to fix", () => {
    expect(errorOf({ STANDARD_WEBHOOK_SECRET_CLERK: "whsec_***" })).toMatch(/STANDARD_WEBHOOK_SECRET_CLERK: a secret must be base64/);
    expect(errorOf({ STANDARD_WEBHOOK_EVENTS_CLERK: "user.*" })).toMatch(/STANDARD_WEBHOOK_EVENTS_CLERK: STANDARD_WEBHOOK_SECRET_CLERK is not set/);
    expect(errorOf({ STANDARD_WEBHOOK_SECRET_clerk: STANDARD_SECRET })).toMatch(/STANDARD_WEBHOOK_SECRET_clerk: names no setting/);
    expect(errorOf({ HMAC_WEBHOOK_ACME_SECRET: "s", HMAC_WEBHOOK_ACME_SIGNATURE_HEADER: "x-sig" })).toMatch(/HMAC_WEBHOOK_ACME_ID_HEADER/);
    expect(errorOf({ HMAC_WEBHOOK_ACME_SECRET: "s", HMAC_WEBHOOK_ACME_ID_HEADER: "x-id", HMAC_WEBHOOK_ACME_SIGNATURE_HEADER: "x sig" })).toMatch(/HMAC_WEBHOOK_ACME_SIGNATURE_HEADER: must be an HTTP header name/);
    expect(errorOf({ HMAC_WEBHOOK_ACME_SECRET: "s", HMAC_WEBHOOK_ACME_ID_HEADER: "x-id", HMAC_WEBHOOK_ACME_SIGNATURE_HEADER: "x-sig", HMAC_WEBHOOK_ACME_ALGORITHM: "md5" })).toMatch(/HMAC_WEBHOOK_ACME_ALGORITHM/);
    expect(errorOf({ HMAC_WEBHOOK_ACME_SECRET: "s", HMAC_WEBHOOK_ACME_ID_HEADER: "x-id", HMAC_WEBHOOK_ACME_SIGNATURE_HEADER: "x-sig", HMAC_WEBHOOK_ACME_SIGNATUR_PREFIX: "v1=" })).toMatch(
      /HMAC_WEBHOOK_ACME_SIGNATUR_PREFIX: names no setting/,
    );
    expect(errorOf({ HMAC_WEBHOOK_ACME_ID_HEADER: "x-id" })).toMatch(/HMAC_WEBHOOK_ACME_ID_HEADER: names no setting/);
    expect(errorOf({ META_VERIFY_TOKEN: "t" })).toMatch(/META_VERIFY_TOKEN: needs META_APP_SECRET/);
    expect(errorOf({ INNGEST_SIGNING_KEY_FALLBACK: "k" })).toMatch(/INNGEST_SIGNING_KEY_FALLBACK: needs INNGEST_SIGNING_KEY/);
    expect(errorOf({ WEBHOOK_RATE_LIMIT_FAILURES: "lots" })).toMatch(/WEBHOOK_RATE_LIMIT_FAILURES: "lots" is not a rate/);
    expect(errorOf({ HTTP_HEADERS_TIMEOUT: "1m", HTTP_REQUEST_TIMEOUT: "10s" })).toMatch(/HTTP_HEADERS_TIMEOUT: must not exceed HTTP_REQUEST_TIMEOUT/);
    expect(errorOf({ GITHUB_WEBHOOK_MAX_BODY_BYTES: "0" })).toMatch(/GITHUB_WEBHOOK_MAX_BODY_BYTES/);
    expect(errorOf({ TRUSTED_PROXIES: "loopback,proxy.internal" })).toMatch(/TRUSTED_PROXIES: "proxy.internal" is not an address/);
  });
});
