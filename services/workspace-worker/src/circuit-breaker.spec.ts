import { JITTER_RATIO } from "@hookstream/jetstream";
import { type BreakerState, CircuitBreakers } from "./circuit-breaker";

let now = 0;
let transitions: BreakerState[] = [];
const breakers = (over: Partial<ConstructorParameters<typeof CircuitBreakers>[0]> = {}) =>
  new CircuitBreakers({
    failureThreshold: 3,
    openMs: 1000,
    maxOpenMs: 3000,
    probeTimeoutMs: 5000,
    maxHosts: 100,
    idleMs: 60_000,
    now: () => now,
    random: () => 0,
    onTransition: (_host, to) => transitions.push(to),
    ...over,
  });

function failTimes(b: CircuitBreakers, host: string, n: number) {
  for (let i = 0; i < n; i++) b.failed(host, false);
}

beforeEach(() => {
  now = 1_000_000;
  transitions = [];
});

describe("CircuitBreakers", () => {
  it("spreads open times by up to JITTER_RATIO, so probes drift across a host's regular flapping", () => {
    const open = (random: number) => {
      const b = breakers({ random: () => random });
      failTimes(b, "a", 3);
      return (b.permit("a") as { retryInMs: number }).retryInMs;
    };
    expect(open(0)).toBe(1000);
    expect(open(0.5)).toBe(Math.round(1000 * (1 + JITTER_RATIO * 0.5)));
    expect(open(0.999)).toBeLessThanOrEqual(Math.round(1000 * (1 + JITTER_RATIO)));
    expect(open(0.999)).toBeGreaterThan(1000);
  });

  it("opens after the threshold of consecutive failures, for that host only", () => {
    const b = breakers();
    failTimes(b, "a:443", 2);
    expect(b.permit("a:443")).toEqual({ allowed: true, probe: false });
    b.failed("a:443", false);
    expect(b.permit("a:443")).toEqual({ allowed: false, state: "open", retryInMs: 1000 });
    expect(b.permit("b:443")).toEqual({ allowed: true, probe: false });
    expect(transitions).toEqual(["open"]);
  });

  it("forgets failures once the host answers", () => {
    const b = breakers();
    failTimes(b, "a", 2);
    b.succeeded("a");
    failTimes(b, "a", 2);
    expect(b.state("a")).toBe("closed");
    expect(b.countByState()).toEqual({ open: 0, half_open: 0 });
  });

  it("lets one probe through once open time is over, and closes on its success", () => {
    const b = breakers();
    failTimes(b, "a", 3);
    now += 999;
    expect(b.permit("a").allowed).toBe(false);
    now += 1;
    expect(b.permit("a")).toEqual({ allowed: true, probe: true });
    expect(b.permit("a")).toEqual({ allowed: false, state: "half_open", retryInMs: 0 });
    expect(b.countByState()).toEqual({ open: 0, half_open: 1 });
    b.succeeded("a");
    expect(b.permit("a")).toEqual({ allowed: true, probe: false });
    expect(transitions).toEqual(["open", "half_open", "closed"]);
  });

  it("opens again for twice as long when the probe fails, up to the maximum", () => {
    const b = breakers();
    failTimes(b, "a", 3);
    const openFor: number[] = [];
    for (let i = 0; i < 3; i++) {
      now += 10_000;
      expect(b.permit("a")).toMatchObject({ allowed: true, probe: true });
      b.failed("a", true);
      const p = b.permit("a");
      openFor.push(p.allowed ? -1 : p.retryInMs);
    }
    expect(openFor).toEqual([2000, 3000, 3000]);
  });

  it("ignores failures while open and of calls that were not the probe", () => {
    const b = breakers();
    failTimes(b, "a", 3);
    failTimes(b, "a", 10);
    expect(b.permit("a")).toMatchObject({ allowed: false, retryInMs: 1000 });
    now += 1000;
    expect(b.permit("a").allowed).toBe(true);
    b.failed("a", false);
    expect(b.state("a")).toBe("half_open");
  });

  it("lets a forced call through while open without taking the probe's place", () => {
    const b = breakers();
    failTimes(b, "a", 3);
    expect(b.permit("a", true)).toEqual({ allowed: true, probe: false });
    now += 1000;
    expect(b.permit("a", true)).toEqual({ allowed: true, probe: false });
    expect(b.permit("a")).toEqual({ allowed: true, probe: true });
  });

  it("admits another probe when one was never reported", () => {
    const b = breakers();
    failTimes(b, "a", 3);
    now += 1000;
    expect(b.permit("a")).toMatchObject({ probe: true });
    now += 4999;
    expect(b.permit("a").allowed).toBe(false);
    now += 1;
    expect(b.permit("a")).toMatchObject({ probe: true });
  });

  it("remembers at most maxHosts, and forgets hosts idle for idleMs", () => {
    const b = breakers({ maxHosts: 2 });
    failTimes(b, "a", 3);
    failTimes(b, "b", 3);
    failTimes(b, "c", 3);
    expect(b.countByState()).toEqual({ open: 2, half_open: 0 });
    expect(b.state("a")).toBe("closed");
    now += 60_000;
    b.failed("d", false);
    expect(b.countByState()).toEqual({ open: 0, half_open: 0 });
    expect(transitions.filter((t) => t === "closed")).toHaveLength(3);
  });

  it("lists the hosts not closed, with when an open one admits its next probe", () => {
    const b = breakers();
    failTimes(b, "a", 3);
    now += 500;
    failTimes(b, "b", 3);
    failTimes(b, "c", 1);
    expect(b.notClosed()).toEqual([
      { host: "a", state: "open", retryAt: 1_001_000 },
      { host: "b", state: "open", retryAt: 1_001_500 },
    ]);
    now += 600;
    expect(b.notClosed()).toEqual([
      { host: "a", state: "half_open", retryAt: null },
      { host: "b", state: "open", retryAt: 1_001_500 },
    ]);
  });
});
