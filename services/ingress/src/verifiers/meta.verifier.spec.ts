import { createHmac } from "node:crypto";
import fc from "fast-check";
import { answerMetaHandshake, verifyMeta } from "./meta.verifier";
import { changeChar, present, PROPERTY_RUNS, verifierContract } from "./verifier.contract";

/** Meta: hex HMAC-SHA256 of the raw body keyed with the app secret; no timestamp. */
const sign = (appSecret: string, body: Buffer) => createHmac("sha256", appSecret).update(body).digest("hex");
const metaHeaders = ({ signature }: { signature?: string }) => present({ "x-hub-signature-256": signature && `sha256=${signature}` });
const valid = sign("app-secret", Buffer.from("{}"));

describe("verifyMeta", () => {
  verifierContract({
    verifier: verifyMeta,
    secrets: { current: "app-secret", previous: "previous-app-secret", other: "another-app-secret" },
    sign,
    headers: metaHeaders,
    timestamped: false,
    malformed: [
      "garbage",
      `sha1=${valid.slice(0, 40)}`,
      "sha256=",
      "sha256=zz",
      `sha256=${valid.slice(1)}`,
      `sha256=${valid.toUpperCase()}`,
      `SHA256=${valid}`,
      `sha256=${valid} sha256=${valid}`,
    ].map((value) => ({ "x-hub-signature-256": value })),
  });
});

describe("answerMetaHandshake", () => {
  const query = (over: Record<string, unknown> = {}) => ({ "hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444", ...over });

  it("returns the challenge to echo when the verify token is configured", () => {
    expect(answerMetaHandshake(query(), ["verify-me"])).toEqual({ ok: true, challenge: "1158201444" });
  });

  it("accepts any of several verify tokens during a rotation", () => {
    expect(answerMetaHandshake(query(), ["new-token", "verify-me"])).toEqual({ ok: true, challenge: "1158201444" });
  });

  it("rejects a wrong token, and every token when none is configured", () => {
    expect(answerMetaHandshake(query({ "hub.verify_token": "guess" }), ["verify-me"])).toMatchObject({ ok: false, reason: "invalid_signature" });
    expect(answerMetaHandshake(query(), [])).toMatchObject({ ok: false, reason: "invalid_signature" });
    expect(answerMetaHandshake(query(), [""])).toMatchObject({ ok: false, reason: "invalid_signature" });
  });

  it("rejects a missing token", () => {
    for (const token of [undefined, "", ["verify-me"]]) {
      expect(answerMetaHandshake(query({ "hub.verify_token": token }), ["verify-me"])).toMatchObject({ ok: false, reason: "missing_signature" });
    }
  });

  it("rejects another mode, and a missing or unsafe challenge rather than reflecting it", () => {
    for (const mode of [undefined, "unsubscribe", "SUBSCRIBE", ["subscribe"]]) {
      expect(answerMetaHandshake(query({ "hub.mode": mode }), ["verify-me"])).toMatchObject({ ok: false, reason: "malformed_signature" });
    }
    for (const challenge of [undefined, "", "<script>alert(1)</script>", "a b", "1".repeat(257), ["1"]]) {
      expect(answerMetaHandshake(query({ "hub.challenge": challenge }), ["verify-me"])).toMatchObject({ ok: false, reason: "malformed_signature" });
    }
  });

  it("rejects a verify token with any single byte changed", () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (index, delta) => {
      const token = changeChar("verify-me", index, delta);
      expect(answerMetaHandshake(query({ "hub.verify_token": token }), ["verify-me"])).toMatchObject({ ok: false });
    }), PROPERTY_RUNS);
  });

  it("never throws, whatever the query", () => {
    const keys = fc.oneof(fc.constantFrom("hub.mode", "hub.verify_token", "hub.challenge"), fc.string());
    const values = fc.oneof(fc.constantFrom("subscribe", "verify-me", "1158201444"), fc.anything());
    fc.assert(fc.property(fc.dictionary(keys, values), fc.array(fc.string(), { maxLength: 3 }), (q, tokens) => {
      const answer = answerMetaHandshake(q, tokens);
      expect(typeof answer.ok).toBe("boolean");
    }), PROPERTY_RUNS);
  });
});
