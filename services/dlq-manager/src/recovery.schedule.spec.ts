import { afterFailure, isRetryable, retryDelays } from "./recovery.schedule";

const MIN = 60_000;
const HOUR = 60 * MIN;

describe("retryDelays", () => {
  it("grows geometrically from the first delay to the last over the retries (5 min to 12 h over 5 by default)", () => {
    const d = retryDelays(5 * MIN, 12 * HOUR, 5);
    expect(d).toHaveLength(5);
    expect(d[0]).toBe(5 * MIN);
    expect(d[2]).toBe(HOUR);
    expect(d[4]).toBe(12 * HOUR);
    expect(d[1]! / d[0]!).toBeCloseTo(d[4]! / d[3]!, 3);
  });

  it("handles one retry, none, and a flat schedule", () => {
    expect(retryDelays(1000, 5000, 1)).toEqual([1000]);
    expect(retryDelays(1000, 5000, 0)).toEqual([]);
    expect(retryDelays(200, 200, 3)).toEqual([200, 200, 200]);
  });
});

describe("afterFailure", () => {
  const delays = [1000, 4000, 16000];
  const now = new Date("2026-11-27T10:00:00.000Z");

  it("schedules the next automatic retry of a transient failure", () => {
    expect(afterFailure("external_api", 0, delays, now)).toEqual({ status: "pending", nextRetryAt: new Date("2026-11-27T10:00:01.000Z"), needsManualIntervention: false });
    expect(afterFailure("timeout", 2, delays, now).nextRetryAt).toEqual(new Date("2026-11-27T10:00:16.000Z"));
  });

  it("fails an entry once its automatic retries are spent, for an operator", () => {
    expect(afterFailure("rate_limit", 3, delays, now)).toEqual({ status: "failed", nextRetryAt: null, needsManualIntervention: true });
  });

  it("never retries a validation failure automatically", () => {
    expect(isRetryable("validation")).toBe(false);
    expect(afterFailure("validation", 0, delays, now)).toEqual({ status: "pending", nextRetryAt: null, needsManualIntervention: true });
  });

  it("leaves every failure to an operator when automatic recovery is off", () => {
    expect(afterFailure("unknown", 0, [], now)).toEqual({ status: "pending", nextRetryAt: null, needsManualIntervention: true });
  });
});
