import { HookstreamError } from "@hookstream/contracts";
import { decideFailure } from "@hookstream/jetstream";
import { circuitDelay, DeferredError, isLastDelivery } from "./deferral";

const delivery = (deliveryCount: number) => ({ deliveryCount, maxDeliver: 6, backoffMs: [1000, 30_000] });
const noJitter = () => 0;

describe("DeferredError", () => {
  it("is nak'ed after its own delay by the retry policy", () => {
    const e = new DeferredError("workspace_limit", "busy", 1234);
    expect(e).toBeInstanceOf(HookstreamError);
    expect(decideFailure(e, delivery(1))).toEqual({ action: "nak", delayMs: 1234, reason: "rate_limit: busy" });
  });
});

describe("isLastDelivery", () => {
  it("knows the delivery the retry policy would not retry", () => {
    expect(isLastDelivery(delivery(5))).toBe(false);
    expect(isLastDelivery(delivery(6))).toBe(true);
    expect(isLastDelivery({ deliveryCount: 100, maxDeliver: -1, backoffMs: [] })).toBe(false);
  });
});

describe("circuitDelay", () => {
  it("waits for the breaker's next probe, and at least as long as the schedule", () => {
    expect(circuitDelay(5000, delivery(1), noJitter)).toBe(5000);
    expect(circuitDelay(0, delivery(1), noJitter)).toBe(1000);
    expect(circuitDelay(5000, delivery(2), noJitter)).toBe(30_000);
    expect(circuitDelay(5000, delivery(1), () => 0.5)).toBe(5250);
  });
});
