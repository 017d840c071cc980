import { summarize } from "./dlq.stats";

describe("summarize", () => {
  const now = new Date("2026-11-27T10:00:00.000Z");

  it("counts by status and by category, every one present", () => {
    const s = summarize(
      [
        { status: "pending", category: "external_api", n: 3 },
        { status: "pending", category: "validation", n: 2 },
        { status: "reprocessed", category: "external_api", n: 5 },
      ],
      2,
      new Date("2026-11-27T09:00:00.000Z"),
      now,
    );
    expect(s.total).toBe(10);
    expect(s.byStatus).toEqual({ pending: 5, retrying: 0, reprocessed: 5, resolved: 0, discarded: 0, failed: 0 });
    expect(s.byCategory).toEqual({ timeout: 0, validation: 2, external_api: 8, rate_limit: 0, unknown: 0 });
    expect(s.needsManualIntervention).toBe(2);
    expect(s.oldestPendingAgeSeconds).toBe(3600);
    expect(s.oldestPendingAt).toBe("2026-11-27T09:00:00.000Z");
  });

  it("reports an empty queue as zeros", () => {
    const s = summarize([], 0, null, now);
    expect(s).toMatchObject({ total: 0, oldestPendingAt: null, oldestPendingAgeSeconds: 0, byStatusAndCategory: [] });
  });
});
