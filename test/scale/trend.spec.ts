import { growthVerdict, lowerEnvelope, quantile, theilSenSlope } from "../../bench/lib/trend.cjs";

/** Samples every 5 s for 10 minutes: `base + perMinute × t + noise(t)`, in MB. */
const series = (perMinute: number, noise: (i: number) => number, base = 150) =>
  Array.from({ length: 120 }, (_, i) => ({ x: (i * 5) / 60, y: base + perMinute * ((i * 5) / 60) + noise(i) }));
const sawtooth = (i: number) => (i % 12) * 3; // GC: up 33 MB in a minute, then back down

describe("the soak's memory verdict", () => {
  it("passes a flat series with a large GC sawtooth and a few spikes", () => {
    const points = series(0, (i) => sawtooth(i) + (i % 37 === 0 ? 80 : 0));
    expect(Math.abs(theilSenSlope(points))).toBeLessThan(0.5);
    expect(growthVerdict(points, { maxGrowth: 32 }).ok).toBe(true);
  });

  it("fails a steady leak of 5 MB a minute hidden under the same sawtooth", () => {
    const verdict = growthVerdict(series(5, sawtooth), { maxGrowth: 32 });
    expect(verdict.ok).toBe(false);
    expect(verdict.growth).toBeGreaterThan(40);
    expect(verdict.reason).toMatch(/grows/);
  });

  it("is not fooled by one late jump, which a first-versus-last check would call a leak", () => {
    const points = series(0, (i) => (i >= 115 ? 100 : 0));
    expect(points[points.length - 1]!.y - points[0]!.y).toBe(100);
    expect(growthVerdict(points, { maxGrowth: 32 }).ok).toBe(true);
  });

  it("refuses to judge a run too short to tell", () => {
    expect(growthVerdict(series(0, () => 0).slice(0, 4), { maxGrowth: 32 })).toMatchObject({ ok: false, reason: expect.stringMatching(/only 4 samples/) });
  });

  it("judges a heap by what the collections leave: a 200 MB sawtooth over a flat floor is no leak, a rising floor is", () => {
    // Garbage piles up for a minute and is collected: over 90 s, the raw samples trend upwards, the floor does not.
    const heap = (leakPerMinute: number) => series(leakPerMinute, (i) => (i % 12) * 18).slice(0, 18);
    expect(growthVerdict(heap(0), { maxGrowth: 32, minPoints: 2 }).ok).toBe(false);
    expect(growthVerdict(lowerEnvelope(heap(0), 0.5), { maxGrowth: 32, minPoints: 2 }).ok).toBe(true);
    const leaking = lowerEnvelope(series(40, (i) => (i % 12) * 18), 1);
    expect(leaking).toHaveLength(10);
    expect(growthVerdict(leaking, { maxGrowth: 32, minPoints: 2 }).ok).toBe(false);
  });

  it("takes quantiles", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(xs, 0.5)).toBe(51);
    expect(quantile(xs, 0.99)).toBe(100);
  });
});
