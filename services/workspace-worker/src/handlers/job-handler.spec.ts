import { handles, type JobHandlerSpec } from "./job-handler";
import { enabledHandlers, type RegisteredHandler } from "./job-handler.registry";

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

describe("enabledHandlers", () => {
  const registered = (name: string, order: number): RegisteredHandler => ({ spec: { name, order, handles: [] }, handler: { handle: async () => undefined } });
  const all = [registered("destination-delivery", 100), registered("workspace-activity", 10), registered("cache-invalidation", 20)];

  it("keeps every handler, in order, when none is disabled", () => {
    expect(enabledHandlers(all, []).map((h) => h.spec.name)).toEqual(["workspace-activity", "cache-invalidation", "destination-delivery"]);
  });

  it("leaves the disabled ones out", () => {
    expect(enabledHandlers(all, ["workspace-activity", "cache-invalidation"]).map((h) => h.spec.name)).toEqual(["destination-delivery"]);
  });

  it("refuses a name no handler has, naming the variable and the handlers there are", () => {
    expect(() => enabledHandlers(all, ["workspace-activty"])).toThrow(
      "JOB_HANDLERS_DISABLED: no job handler is named workspace-activty (handlers: destination-delivery, workspace-activity, cache-invalidation)",
    );
  });
});
