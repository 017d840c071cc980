import fc from "fast-check";
import { maskSecret } from "./mask";

describe("maskSecret", () => {
  it("keeps the whsec_ prefix and the last four characters", () => {
    expect(maskSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).toBe("whsec_…LaSw");
    expect(maskSecret("a-long-secret-without-prefix")).toBe("…efix");
    expect(maskSecret(null)).toBeNull();
  });

  it("never shows more than four characters of the secret, and none of a short one", () => {
    expect(maskSecret("whsec_short")).toBe("whsec_…");
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (secret) => {
        const masked = maskSecret(secret)!;
        const shown = masked.slice(masked.indexOf("…") + 1);
        expect(shown.length).toBeLessThanOrEqual(4);
        if (secret.length < 16) expect(shown).toBe("");
      }),
    );
  });
});
