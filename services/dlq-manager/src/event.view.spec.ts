import { maskHeaders, traceLink } from "./event.view";

describe("maskHeaders", () => {
  it("masks signatures and credentials, keeping only the last four characters of a long value", () => {
    const masked = maskHeaders({
      "X-Hub-Signature-256": "sha256=0123456789abcdef0123456789abcdef",
      "webhook-signature": "v1,short",
      Authorization: "Bearer abcdefghijklmnopqrstuvwxyz",
      "X-GitHub-Event": "issues",
      "user-agent": "GitHub-Hookshot/1",
    });
    expect(masked).toEqual({
      "X-Hub-Signature-256": "…cdef",
      "webhook-signature": "…",
      Authorization: "…wxyz",
      "X-GitHub-Event": "issues",
      "user-agent": "GitHub-Hookshot/1",
    });
  });
});

describe("traceLink", () => {
  const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  it("fills every {traceId} of the template", () => {
    expect(traceLink("https://grafana.example/explore?trace={traceId}&again={traceId}", traceparent)).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      url: "https://grafana.example/explore?trace=4bf92f3577b34da6a3ce929d0e0e4736&again=4bf92f3577b34da6a3ce929d0e0e4736",
    });
  });

  it("gives the trace id without a url when no template is configured, and nothing for a bad traceparent", () => {
    expect(traceLink(null, traceparent)).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", url: null });
    expect(traceLink("https://t/{traceId}", "garbage")).toBeNull();
    expect(traceLink("https://t/{traceId}", undefined)).toBeNull();
  });
});
