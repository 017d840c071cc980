import { parseRate, TokenBuckets } from "./token-buckets";

describe("parseRate", () => {
  it("reads <count>/<duration>", () => {
    expect(parseRate("30/1m")).toEqual({ burst: 30, perMs: 60_000 });
    expect(parseRate(" 1000 / 1s ")).toEqual({ burst: 1000, perMs: 1000 });
    expect(parseRate("5/500ms")).toEqual({ burst: 5, perMs: 500 });
  });

  it("refuses anything else with the text in the message", () => {
    for (const bad of ["", "30", "30/", "/1m", "-1/1m", "0/1m", "30/0s", "30/1 minute", "1.5/1s"]) expect(() => parseRate(bad)).toThrow(/rate|least one/);
  });
});

describe("TokenBuckets", () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it("allows a burst, then one request per refill interval", () => {
    const b = new TokenBuckets({ burst: 3, perMs: 3000 }, 10, clock);
    expect([b.take("a"), b.take("a"), b.take("a")]).toEqual([0, 0, 0]);
    expect(b.take("a")).toBe(1000);
    now += 400;
    expect(b.take("a")).toBe(600);
    now += 600;
    expect(b.take("a")).toBe(0);
    expect(b.take("a")).toBe(1000);
  });

  it("keeps keys apart", () => {
    const b = new TokenBuckets({ burst: 1, perMs: 60_000 }, 10, clock);
    expect(b.take("a")).toBe(0);
    expect(b.take("a")).toBe(60_000);
    expect(b.take("b")).toBe(0);
  });

  it("never refills above the burst", () => {
    const b = new TokenBuckets({ burst: 2, perMs: 1000 }, 10, clock);
    b.take("a");
    now += 1_000_000_000;
    expect([b.take("a"), b.take("a"), b.take("a")]).toEqual([0, 0, 500]);
  });

  it("says how long to wait without spending a token", () => {
    const b = new TokenBuckets({ burst: 1, perMs: 10_000 }, 10, clock);
    expect(b.wait("a")).toBe(0);
    expect(b.wait("a")).toBe(0);
    b.take("a");
    expect(b.wait("a")).toBe(10_000);
    now += 2500;
    expect(b.wait("a")).toBe(7500);
  });

  it("does not spend when refused, so a client hammering an empty bucket still gets one through after the refill", () => {
    const b = new TokenBuckets({ burst: 1, perMs: 1000 }, 10, clock);
    b.take("a");
    for (let i = 0; i < 100; i++) expect(b.take("a")).toBeGreaterThan(0);
    now += 1000;
    expect(b.take("a")).toBe(0);
  });

  it("holds at most maxKeys buckets, forgetting the least recently used (which starts full again)", () => {
    const b = new TokenBuckets({ burst: 1, perMs: 60_000 }, 2, clock);
    b.take("a");
    b.take("b");
    b.take("c");
    expect(b.size).toBe(2);
    expect(b.take("a")).toBe(0);
    expect(b.take("c")).toBe(60_000);
  });

  it("forgets an idle bucket once it would be full anyway", () => {
    const b = new TokenBuckets({ burst: 2, perMs: 1000 }, 10, clock);
    b.take("a");
    expect(b.size).toBe(1);
    now += 1000;
    expect(b.wait("a")).toBe(0);
    expect(b.size).toBe(0);
  });
});
