import { createHmac } from "node:crypto";
import { standardWebhookKey, verifyStandardWebhook } from "./standard.verifier";
import { NOW, present, verifierContract, verifyInput } from "./verifier.contract";

const id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
/** Standard Webhooks v1: base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`, keyed with the base64 after `whsec_`. */
const v1 = (secret: string, body: Buffer, timestamp: string, msgId = id) =>
  createHmac("sha256", Buffer.from(secret.replace(/^whsec_/, ""), "base64")).update(`${msgId}.${timestamp}.`).update(body).digest("base64");
const standardHeaders = ({ timestamp, signature }: { timestamp?: string; signature?: string }) =>
  present({ "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature && `v1,${signature}` });

const key = (seed: string, bytes = 24) => `whsec_${Buffer.alloc(bytes, seed).toString("base64")}`;
const secret = key("current");
const body = Buffer.from(JSON.stringify({ type: "user.created", data: { id: "user_29w83sxmDNGwOuEthce5gg56FcC" } }));
const ts = String(NOW);
const valid = v1(secret, body, ts);
const standard = (headers: Record<string, string>, secrets = [secret]) => verifyStandardWebhook(verifyInput({ headers, rawBody: body, secrets }));
const withSignature = (value: string) => ({ "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": value });

describe("verifyStandardWebhook", () => {
  verifierContract({
    verifier: verifyStandardWebhook,
    secrets: { current: secret, previous: key("previous", 32), other: key("other") },
    sign: v1,
    headers: standardHeaders,
    timestamped: true,
    malformed: [
      "v1",
      ",abc",
      "v1,zz",
      `v1,${valid.replace(/=$/, "")}`,
      `v1,${valid.slice(4)}`,
      "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=",
      `v1,${valid} garbage`,
      `v1,${valid} v1,${"A".repeat(44)}`,
    ].map(withSignature),
  });

  it("matches the Standard Webhooks specification's test vector", () => {
    const headers = { "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330", "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" };
    const input = { headers, rawBody: Buffer.from('{"test": 2432232314}'), secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] };
    expect(verifyStandardWebhook(verifyInput({ ...input, nowSeconds: 1614265330 }))).toEqual({ ok: true });
    expect(verifyStandardWebhook(verifyInput(input))).toMatchObject({ ok: false, reason: "timestamp_out_of_tolerance" });
  });

  it("accepts Svix's svix-id, svix-timestamp and svix-signature aliases", () => {
    expect(standard({ "svix-id": id, "svix-timestamp": ts, "svix-signature": `v1,${valid}` })).toEqual({ ok: true });
  });

  it("checks every v1 entry and ignores other versions", () => {
    const other = v1(key("other"), body, ts);
    expect(standard(withSignature(`v1a,${"x".repeat(88)} v1,${other}  v2,whatever v1,${valid}`))).toEqual({ ok: true });
    expect(standard(withSignature(`v1,${other}`))).toMatchObject({ ok: false, reason: "invalid_signature" });
    expect(standard(withSignature(`v1a,${valid}`))).toMatchObject({ ok: false, reason: "missing_signature" });
  });

  it("signs the message id: a missing one is refused, a changed one does not pass", () => {
    expect(standard({ "webhook-timestamp": ts, "webhook-signature": `v1,${valid}` })).toMatchObject({ ok: false, reason: "missing_header" });
    expect(standard({ ...withSignature(`v1,${valid}`), "webhook-id": `${id}x` })).toMatchObject({ ok: false, reason: "invalid_signature" });
  });

  it("reads a secret without the whsec_ prefix as base64 too, and skips a secret that is not base64", () => {
    expect(standard(withSignature(`v1,${valid}`), [secret.slice("whsec_".length)])).toEqual({ ok: true });
    expect(standard(withSignature(`v1,${valid}`), ["whsec_not base64!", secret])).toEqual({ ok: true });
    expect(standard(withSignature(`v1,${valid}`), ["whsec_not base64!"])).toMatchObject({ ok: false, reason: "invalid_signature" });
  });

  it("exposes the secret decoding so configuration can be checked at startup", () => {
    expect(standardWebhookKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).toEqual(Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64"));
    for (const bad of ["", "whsec_", "whsec_***", "whsec_a b"]) expect(standardWebhookKey(bad)).toBeUndefined();
  });
});
