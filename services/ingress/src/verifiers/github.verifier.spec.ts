import { createHmac } from "node:crypto";
import { verifyGithub } from "./github.verifier";
import type { VerifyInput } from "./verifier";

const body = Buffer.from(JSON.stringify({ action: "opened", repository: { full_name: "acme/api" } }));
const sign = (secret: string, data: Buffer = body) => `sha256=${createHmac("sha256", secret).update(data).digest("hex")}`;
const input = (over: Partial<VerifyInput> & { signature?: string }): VerifyInput => ({
  headers: over.signature === undefined ? {} : { "x-hub-signature-256": over.signature },
  rawBody: body,
  secrets: ["current-secret"],
  nowSeconds: 1_800_000_000,
  toleranceSeconds: 300,
  ...over,
});

describe("verifyGithub", () => {
  it("accepts a body signed with the configured secret", () => {
    expect(verifyGithub(input({ signature: sign("current-secret") }))).toEqual({ ok: true });
  });

  it("rejects a signature made with another secret", () => {
    expect(verifyGithub(input({ signature: sign("wrong-secret") }))).toMatchObject({ ok: false, reason: "invalid_signature" });
  });

  it("rejects a tampered body", () => {
    const tampered = Buffer.from(body.toString().replace("opened", "closed"));
    expect(verifyGithub(input({ signature: sign("current-secret"), rawBody: tampered }))).toMatchObject({ ok: false, reason: "invalid_signature" });
  });

  it("rejects a missing header", () => {
    expect(verifyGithub(input({}))).toMatchObject({ ok: false, reason: "missing_signature" });
  });

  it("rejects a malformed header without throwing", () => {
    for (const bad of ["sha1=abc", "sha256=", "sha256=zz", `sha256=${"a".repeat(63)}`, "garbage"]) {
      expect(verifyGithub(input({ signature: bad }))).toMatchObject({ ok: false, reason: "malformed_signature" });
    }
  });

  it("accepts either secret while one is being rotated", () => {
    const secrets = ["new-secret", "old-secret"];
    expect(verifyGithub(input({ signature: sign("old-secret"), secrets }))).toEqual({ ok: true });
    expect(verifyGithub(input({ signature: sign("new-secret"), secrets }))).toEqual({ ok: true });
    expect(verifyGithub(input({ signature: sign("retired-secret"), secrets }))).toMatchObject({ ok: false });
  });

  it("verifies the exact bytes: a re-serialized body does not pass", () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    expect(verifyGithub(input({ signature: sign("current-secret", pretty) }))).toMatchObject({ ok: false });
  });
});
