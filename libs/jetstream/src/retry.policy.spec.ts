import { HookstreamError } from "@hookstream/contracts";
import { z } from "zod";
import { backoffDelay, decideFailure, JITTER_RATIO } from "./retry.policy";

const schedule = { maxDeliver: 6, backoffMs: [5000, 30000, 120000] };
const at = (deliveryCount: number) => ({ ...schedule, deliveryCount });
const noJitter = () => 0;

describe("decideFailure", () => {
  it("terminates validation errors at once, on any delivery", () => {
    for (const n of [1, 3, 6]) expect(decideFailure(new HookstreamError("validation", "bad"), at(n))).toEqual({ action: "term", reason: "validation: bad" });
  });

  it("treats a schema failure as validation", () => {
    const zodError = z.object({ a: z.string() }).safeParse({}).error!;
    expect(decideFailure(zodError, at(1)).action).toBe("term");
  });

  it.each(["timeout", "external_api", "unknown"] as const)("backs %s off along the schedule", (category) => {
    const e = new HookstreamError(category, "x");
    expect(decideFailure(e, at(1), noJitter)).toMatchObject({ action: "nak", delayMs: 5000 });
    expect(decideFailure(e, at(2), noJitter)).toMatchObject({ action: "nak", delayMs: 30000 });
    expect(decideFailure(e, at(3), noJitter)).toMatchObject({ action: "nak", delayMs: 120000 });
    // Past the schedule, the last value repeats.
    expect(decideFailure(e, at(5), noJitter)).toMatchObject({ action: "nak", delayMs: 120000 });
  });

  it("treats errors that are not ours as unknown: retried", () => {
    expect(decideFailure(new TypeError("boom"), at(1), noJitter)).toEqual({ action: "nak", delayMs: 5000, reason: "unknown: boom" });
  });

  it("honours a rate limit's Retry-After instead of the schedule", () => {
    expect(decideFailure(new HookstreamError("rate_limit", "429", { retryAfterMs: 42_000 }), at(1))).toMatchObject({ action: "nak", delayMs: 42_000 });
    // Without one it backs off like any transient error.
    expect(decideFailure(new HookstreamError("rate_limit", "429"), at(2), noJitter)).toMatchObject({ action: "nak", delayMs: 30000 });
  });

  it("naks the last delivery without delay, so the server raises max-deliveries at once", () => {
    expect(decideFailure(new HookstreamError("external_api", "500"), at(6))).toMatchObject({ action: "nak", delayMs: 0 });
  });
});

describe("backoffDelay", () => {
  it("adds at most JITTER_RATIO of the delay", () => {
    expect(backoffDelay(at(1), () => 0)).toBe(5000);
    expect(backoffDelay(at(1), () => 0.999999)).toBe(Math.round(5000 * (1 + JITTER_RATIO * 0.999999)));
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(at(2));
      expect(d).toBeGreaterThanOrEqual(30000);
      expect(d).toBeLessThanOrEqual(30000 * (1 + JITTER_RATIO));
    }
  });

  it("has a fallback when no schedule is configured", () => {
    expect(backoffDelay({ deliveryCount: 1, maxDeliver: 3, backoffMs: [] }, noJitter)).toBe(1000);
  });
});
