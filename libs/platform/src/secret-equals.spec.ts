import { secretEquals } from "./secret-equals";

describe("secretEquals", () => {
  it("is true only for the same secret", () => {
    expect(secretEquals("test-admin-token", "test-admin-token")).toBe(true);
    expect(secretEquals("test-admin-token", "test-admin-tokeN")).toBe(false);
  });

  it("compares secrets of different lengths without throwing, and refuses them", () => {
    expect(secretEquals("test-admin-token", "")).toBe(false);
    expect(secretEquals("test-admin-token", "test-admin-token-and-more")).toBe(false);
    expect(secretEquals("test-admin-token", "x".repeat(100_000))).toBe(false);
  });

  it("does not take a prefix or a different encoding of the secret", () => {
    expect(secretEquals("test-admin-token", "test-admin")).toBe(false);
    expect(secretEquals("tëst-admin-token", "tést-admin-token")).toBe(false);
  });
});
