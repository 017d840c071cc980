import { createHmac } from "node:crypto";
import { makeHmacVerifier, type HmacVerifierOptions } from "./generic-hmac.verifier";
import { NOW, present, verifierContract, verifyInput } from "./verifier.contract";

const secrets = { current: "shared-secret", previous: "previous-shared-secret", other: "someone-else" };
const body = Buffer.from('{"order":{"id":1001,"total":"12.50"}}');

describe("makeHmacVerifier", () => {
  describe("sha512, base64, body only (Shopify-like)", () => {
    const sign = (secret: string, data: Buffer) => createHmac("sha512", secret).update(data).digest("base64");
    const valid = sign(secrets.current, body);
    verifierContract({
      verifier: makeHmacVerifier({ algorithm: "sha512", encoding: "base64", signatureHeader: "X-Shop-Hmac" }),
      secrets,
      sign,
      headers: ({ signature }) => present({ "x-shop-hmac": signature }),
      timestamped: false,
      malformed: ["garbage", valid.slice(4), valid.replace(/=+$/, ""), Buffer.from(valid, "base64").toString("hex"), `${valid}${valid}`].map((value) => ({ "x-shop-hmac": value })),
    });
  });

  describe("sha256, hex, prefix and signed timestamp header", () => {
    const sign = (secret: string, data: Buffer, timestamp: string) => createHmac("sha256", secret).update(`${timestamp}.`).update(data).digest("hex");
    const valid = sign(secrets.current, body, String(NOW));
    verifierContract({
      verifier: makeHmacVerifier({ algorithm: "sha256", encoding: "hex", signatureHeader: "X-Signature", prefix: "v1=", timestampHeader: "X-Signature-Timestamp" }),
      secrets,
      sign,
      headers: ({ timestamp, signature }) => present({ "x-signature-timestamp": timestamp, "x-signature": signature && `v1=${signature}` }),
      timestamped: true,
      malformed: ["garbage", valid, `v0=${valid}`, `v1=${valid.slice(1)}`, `v1=${valid.toUpperCase()}`, `v1=${Buffer.from(valid, "hex").toString("base64")}`].map((value) => ({
        "x-signature": value,
        "x-signature-timestamp": String(NOW),
      })),
    });
  });

  it("signs the configured content: sha512 in hex, and sha256 in base64", () => {
    const sha512hex = makeHmacVerifier({ algorithm: "sha512", encoding: "hex", signatureHeader: "x-sig" });
    const sha256b64 = makeHmacVerifier({ algorithm: "sha256", encoding: "base64", signatureHeader: "x-sig", timestampHeader: "x-ts", signedContent: "timestamp.body" });
    const input = (headers: Record<string, string>) => verifyInput({ headers, rawBody: body, secrets: [secrets.current] });
    expect(sha512hex(input({ "x-sig": createHmac("sha512", secrets.current).update(body).digest("hex") }))).toEqual({ ok: true });
    const b64 = createHmac("sha256", secrets.current).update(`${NOW}.`).update(body).digest("base64");
    expect(sha256b64(input({ "x-sig": b64, "x-ts": String(NOW) }))).toEqual({ ok: true });
    expect(sha256b64(input({ "x-sig": createHmac("sha256", secrets.current).update(body).digest("base64"), "x-ts": String(NOW) }))).toMatchObject({ ok: false, reason: "invalid_signature" });
  });

  it("refuses, when it is built, options that cannot verify safely", () => {
    const base: HmacVerifierOptions = { algorithm: "sha256", encoding: "hex", signatureHeader: "x-sig" };
    expect(() => makeHmacVerifier({ ...base, signedContent: "timestamp.body" })).toThrow(/timestampHeader/);
    expect(() => makeHmacVerifier({ ...base, timestampHeader: "x-ts", signedContent: "body" })).toThrow(/signed/);
    expect(() => makeHmacVerifier({ ...base, signatureHeader: "" })).toThrow(/signatureHeader/);
    expect(() => makeHmacVerifier({ ...base, algorithm: "md5" as "sha256" })).toThrow(/algorithm/);
    expect(() => makeHmacVerifier({ ...base, encoding: "base32" as "hex" })).toThrow(/encoding/);
  });
});
