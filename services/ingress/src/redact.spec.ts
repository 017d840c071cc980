import { redactHeaders } from "./redact";

describe("redactHeaders", () => {
  it("replaces the values of the named headers, whatever their case, and keeps the rest", () => {
    const headers = { "x-hub-signature-256": "sha256=abc", "X-Custom-Sig": ["a", "b"], authorization: "Bearer t", "x-github-event": "push", "content-length": "12" };
    const sensitive = new Set(["x-hub-signature-256", "x-custom-sig", "authorization"]);
    expect(redactHeaders(headers, sensitive)).toEqual({
      "x-hub-signature-256": "[redacted]",
      "X-Custom-Sig": "[redacted]",
      authorization: "[redacted]",
      "x-github-event": "push",
      "content-length": "12",
    });
    expect(headers["x-hub-signature-256"]).toBe("sha256=abc");
  });
});
