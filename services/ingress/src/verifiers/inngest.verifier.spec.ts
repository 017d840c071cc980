import { createHmac } from "node:crypto";
import { inngestHmacKey, verifyInngest } from "./inngest.verifier";
import { keyValues, NOW, present, verifierContract, verifyInput } from "./verifier.contract";

/** Inngest: hex HMAC-SHA256 of `${body}${t}`, keyed with the signing key's text after `signkey-<env>-`. */
const sign = (signingKey: string, body: Buffer, timestamp: string) =>
  createHmac("sha256", signingKey.replace(/^signkey-[a-z]+-/, "")).update(body).update(timestamp).digest("hex");
const inngestHeaders = ({ timestamp, signature }: { timestamp?: string; signature?: string }) =>
  present({ "x-inngest-signature": keyValues("&", { t: timestamp, s: signature }) });

const signingKey = `signkey-prod-${"c0ffee".repeat(10)}abcd`;
const body = Buffer.from(JSON.stringify({ id: "01HQ8PTAESBZPBDS8JTRZZYY3S", name: "app/user.signup", data: {} }));
const valid = sign(signingKey, body, String(NOW));
const inngest = (value: string, secrets = [signingKey], rawBody = body, nowSeconds = NOW) =>
  verifyInngest(verifyInput({ headers: { "x-inngest-signature": value }, rawBody, secrets, nowSeconds }));

describe("verifyInngest", () => {
  verifierContract({
    verifier: verifyInngest,
    secrets: { current: signingKey, previous: `signkey-prod-${"12ab".repeat(16)}`, other: `signkey-prod-${"99".repeat(32)}` },
    sign,
    headers: inngestHeaders,
    timestamped: true,
    malformed: [
      "garbage",
      `t=${NOW}&=${valid}`,
      `t=${NOW}&s=zz`,
      `t=${NOW}&s=${valid.slice(2)}`,
      `t=${NOW}&s=${valid.toUpperCase()}`,
      `t=${NOW}&s=${valid}&s=${valid}`,
      `t=${NOW}&t=${NOW}&s=${valid}`,
    ].map((value) => ({ "x-inngest-signature": value })),
  });

  it("matches a signature from the inngest JS SDK's own tests", () => {
    const event = { data: {}, id: "", name: "inngest/scheduled.timer", ts: 1674082830001, user: {}, v: "1" };
    const sdkBody = { ctx: { fn_id: "local-testing-local-cron", run_id: "01GQ3HTEZ01M7R8Z9PR1DMHDN1", step_id: "step" }, event, events: [event], steps: {}, use_api: false };
    const key = "signkey-test-f00f3005a3666b359a79c2bc3380ce2715e62727ac461ae1a2618f8766029c9f";
    const header = "t=1687306735&s=70312c7815f611a4aa0b6f985910a85a6c232c845838d7f49f1d05fd8b2b0779";
    expect(inngest(header, [key], Buffer.from(JSON.stringify(sdkBody)), 1687306735)).toEqual({ ok: true });
  });

  it("keys the HMAC with the hex text after the prefix, as the SDK does, not with its decoded bytes", () => {
    const hex = signingKey.slice("signkey-prod-".length);
    expect(inngestHmacKey(signingKey)).toBe(hex);
    expect(inngestHmacKey(`signkey-test-${hex}`)).toBe(hex);
    expect(inngestHmacKey(`signkey-branch-${hex}`)).toBe(hex);
    expect(inngestHmacKey(hex)).toBe(hex);
    const decoded = createHmac("sha256", Buffer.from(hex, "hex")).update(body).update(String(NOW)).digest("hex");
    expect(inngest(`t=${NOW}&s=${decoded}`)).toMatchObject({ ok: false, reason: "invalid_signature" });
    expect(inngest(`t=${NOW}&s=${valid}`, [hex])).toEqual({ ok: true });
  });

  it("signs body then timestamp with no separator", () => {
    const dotted = createHmac("sha256", inngestHmacKey(signingKey)).update(`${NOW}.`).update(body).digest("hex");
    expect(inngest(`t=${NOW}&s=${dotted}`)).toMatchObject({ ok: false, reason: "invalid_signature" });
  });

  it("accepts the parameters in any order and needs s", () => {
    expect(inngest(`s=${valid}&t=${NOW}`)).toEqual({ ok: true });
    expect(inngest(`t=${NOW}`)).toMatchObject({ ok: false, reason: "missing_signature" });
  });
});
