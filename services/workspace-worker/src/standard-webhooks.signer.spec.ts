import { createHmac } from "node:crypto";
import { signDelivery } from "./standard-webhooks.signer";

const sealed = (secret: string) => ({ sealed: `enc:${secret}`, open: jest.fn(() => secret) });

describe("signDelivery", () => {
  // The example from the Standard Webhooks specification.
  it("matches the specification's test vector", () => {
    const headers = signDelivery(sealed("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}');
    expect(headers["webhook-signature"]).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("signs id, timestamp and body with the decoded key", () => {
    const key = Buffer.from("0123456789abcdef0123456789abcdef");
    const secret = `whsec_${key.toString("base64")}`;
    const headers = signDelivery(sealed(secret), "evt:ws", 1700000000, "{}");
    const want = createHmac("sha256", key).update("evt:ws.1700000000.{}").digest("base64");
    expect(headers).toEqual({ "webhook-id": "evt:ws", "webhook-timestamp": "1700000000", "webhook-signature": `v1,${want}` });
  });

  it("opens a secret once, then signs with the key it built, named by the secret's encrypted form", () => {
    const secret = sealed(`whsec_${Buffer.from("another key of 32 bytes, exactly").toString("base64")}`);
    const first = signDelivery(secret, "a", 1700000000, "{}");
    const again = signDelivery({ sealed: secret.sealed, open: () => "whsec_bm90IHRoaXMgb25l" }, "a", 1700000000, "{}");
    expect(secret.open).toHaveBeenCalledTimes(1);
    expect(again).toEqual(first);
  });
});
