import { createHmac } from "node:crypto";
import { verifyStripe } from "./stripe.verifier";
import { keyValues, NOW, present, verifierContract, verifyInput } from "./verifier.contract";

/** Stripe's v1: hex HMAC-SHA256 of `${t}.${payload}`, keyed with the whole `whsec_…` string. */
const v1 = (secret: string, body: Buffer, timestamp: string) => createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
const stripeHeaders = ({ timestamp, signature }: { timestamp?: string; signature?: string }) =>
  present({ "stripe-signature": keyValues(",", { t: timestamp, v1: signature }) });

const secret = "whsec_test_current";
const body = Buffer.from(JSON.stringify({ id: "evt_1NG8Du2eZvKYlo2CUI79vXWy", type: "payment_intent.succeeded" }));
const valid = v1(secret, body, String(NOW));
const stripe = (value: string, secrets = [secret]) => verifyStripe(verifyInput({ headers: { "stripe-signature": value }, rawBody: body, secrets }));

describe("verifyStripe", () => {
  verifierContract({
    verifier: verifyStripe,
    secrets: { current: secret, previous: "whsec_test_previous", other: "whsec_test_other" },
    sign: v1,
    headers: stripeHeaders,
    timestamped: true,
    malformed: [
      "garbage",
      `t=${NOW},=${valid}`,
      `t=${NOW},v1=zz`,
      `t=${NOW},v1=${valid.slice(1)}`,
      `t=${NOW},v1=${valid.toUpperCase()}`,
      `t=${NOW},v1=${valid},v1=nothex`,
      `t=${NOW},t=${NOW},v1=${valid}`,
    ].map((value) => ({ "stripe-signature": value })),
  });

  it("accepts the header when any of several v1 signatures matches", () => {
    const other = v1("whsec_test_other", body, String(NOW));
    expect(stripe(`t=${NOW},v1=${other},v1=${valid}`)).toEqual({ ok: true });
    expect(stripe(`t=${NOW},v1=${other}`)).toMatchObject({ ok: false, reason: "invalid_signature" });
  });

  it("ignores v0 and unknown schemes, and needs a v1", () => {
    expect(stripe(`t=${NOW},v1=${valid},v0=${"0".repeat(64)},x=anything`)).toEqual({ ok: true });
    expect(stripe(`t=${NOW},v0=${valid}`)).toMatchObject({ ok: false, reason: "missing_signature" });
    expect(stripe(`t=${NOW}`)).toMatchObject({ ok: false, reason: "missing_signature" });
  });

  it("uses the whsec_ secret as the literal key, not decoded", () => {
    const decodedKey = createHmac("sha256", Buffer.from("test_current", "base64")).update(`${NOW}.`).update(body).digest("hex");
    expect(stripe(`t=${NOW},v1=${decodedKey}`)).toMatchObject({ ok: false, reason: "invalid_signature" });
  });

  it("signs the timestamp as sent, so a re-spelled timestamp does not pass", () => {
    expect(stripe(`t=0${NOW},v1=${valid}`)).toMatchObject({ ok: false, reason: "invalid_signature" });
  });
});
