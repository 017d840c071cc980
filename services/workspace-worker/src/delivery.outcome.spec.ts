import { decideFailure } from "@hookstream/jetstream";
import { classifyResponse, MAX_RETRY_AFTER_MS, parseRetryAfter } from "./delivery.outcome";

const state = { deliveryCount: 1, maxDeliver: 6, backoffMs: [5000, 30000] };
const noJitter = () => 0;

describe("classifyResponse", () => {
  it("treats 2xx as delivered", () => {
    for (const s of [200, 201, 202, 204]) expect(classifyResponse(s, null)).toBeNull();
  });

  it("retries 5xx and 408 with backoff", () => {
    for (const s of [500, 502, 503, 408]) {
      const e = classifyResponse(s, null)!;
      expect(e.category).toBe("external_api");
      expect(decideFailure(e, state, noJitter)).toEqual({ action: "nak", delayMs: 5000, reason: expect.any(String) });
    }
  });

  it("terminates other 4xx at once", () => {
    for (const s of [400, 401, 403, 404, 410, 422]) {
      const e = classifyResponse(s, null)!;
      expect(e.category).toBe("validation");
      expect(decideFailure(e, state).action).toBe("term");
    }
  });

  it("waits as long as a 429's Retry-After asks", () => {
    const e = classifyResponse(429, "7", 0)!;
    expect(e.category).toBe("rate_limit");
    expect(decideFailure(e, state)).toMatchObject({ action: "nak", delayMs: 7000 });
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates, clamps and ignores garbage", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("999999", now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter("-5", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
