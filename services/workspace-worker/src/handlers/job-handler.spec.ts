import { handles, type JobHandlerSpec } from "./job-handler";

const spec = (h: JobHandlerSpec["handles"]): JobHandlerSpec => ({ name: "t", order: 0, handles: h });

describe("handles", () => {
  it("matches a source and its listed event types", () => {
    const s = spec([{ source: "github", eventTypes: ["push", "pull_request"] }]);
    expect(handles(s, "github", "push")).toBe(true);
    expect(handles(s, "github", "issues")).toBe(false);
    expect(handles(s, "stripe", "push")).toBe(false);
  });

  it("matches every type of a source, or everything", () => {
    expect(handles(spec([{ source: "stripe", eventTypes: "*" }]), "stripe", "invoice.paid")).toBe(true);
    expect(handles(spec([{ source: "stripe", eventTypes: "*" }]), "github", "push")).toBe(false);
    expect(handles(spec([{ source: "*", eventTypes: "*" }]), "meta", "page")).toBe(true);
  });

  it("matches any of several targets", () => {
    const s = spec([{ source: "github", eventTypes: ["push"] }, { source: "stripe", eventTypes: "*" }]);
    expect([handles(s, "github", "push"), handles(s, "stripe", "charge.failed"), handles(s, "github", "star")]).toEqual([true, true, false]);
  });
});
