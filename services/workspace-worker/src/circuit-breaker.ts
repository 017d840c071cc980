import { JITTER_RATIO } from "@hookstream/jetstream";
export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerOptions {
  /** Consecutive failures that open a host's breaker. */
  failureThreshold: number;
  /** How long it first stays open; each failed probe doubles it, up to maxOpenMs. */
  openMs: number;
  maxOpenMs: number;
  /** A probe not reported within this time (its worker died) lets another one through. */
  probeTimeoutMs: number;
  /** Hosts remembered at most, and how long one not heard of is remembered. */
  maxHosts: number;
  idleMs: number;
  now?: () => number;
  /** Spreads each open time by up to JITTER_RATIO of it (tests pass a fixed value). */
  random?: () => number;
  onTransition?: (host: string, to: BreakerState) => void;
}

/** `retryInMs`: until the breaker admits a probe again (0 while a probe is under way). */
export type Permit = { allowed: true; probe: boolean } | { allowed: false; state: BreakerState; retryInMs: number };

interface Host {
  state: BreakerState;
  failures: number;
  openMs: number;
  openUntil: number;
  probeSince: number | null;
  touched: number;
}

/**
 * A circuit breaker per destination host. Only hosts with recent failures have an entry (a healthy host costs
 * nothing), bounded by maxHosts and idleMs. Closed: calls pass, consecutive failures are counted. Open: calls are
 * refused until openUntil. Then half-open: one call at a time goes through as a probe; its success closes the
 * breaker, its failure opens it again for twice as long.
 */
export class CircuitBreakers {
  private readonly hosts = new Map<string, Host>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** `force` lets a call through whatever the state (a job's last delivery); it does not count as the probe. */
  permit(host: string, force = false): Permit {
    const h = this.hosts.get(host);
    if (!h || h.state === "closed") return { allowed: true, probe: false };
    const now = this.now();
    if (h.state === "open" && now >= h.openUntil) this.move(host, h, "half_open");
    if (force) return { allowed: true, probe: false };
    if (h.state === "half_open" && (h.probeSince === null || now - h.probeSince >= this.options.probeTimeoutMs)) {
      h.probeSince = now;
      return { allowed: true, probe: true };
    }
    return { allowed: false, state: h.state, retryInMs: Math.max(0, h.openUntil - now) };
  }

  /** The host answered (any status but those counted as failures): its breaker closes and is forgotten. */
  succeeded(host: string): void {
    const h = this.hosts.get(host);
    if (!h) return;
    this.hosts.delete(host);
    if (h.state !== "closed") this.options.onTransition?.(host, "closed");
  }

  failed(host: string, probe: boolean): void {
    const now = this.now();
    const h = this.entry(host, now);
    if (h.state === "closed") {
      h.failures++;
      if (h.failures >= this.options.failureThreshold) this.open(host, h, now, this.options.openMs);
    } else if (probe && h.state === "half_open") {
      this.open(host, h, now, Math.min(this.options.maxOpenMs, h.openMs * 2));
    }
    // A failure while open, or of a forced call, is what the breaker already knows.
  }

  state(host: string): BreakerState {
    return this.hosts.get(host)?.state ?? "closed";
  }

  /** Hosts whose breaker is open or half-open (closed ones are not counted: healthy hosts have no entry). */
  countByState(): Record<Exclude<BreakerState, "closed">, number> {
    const counts = { open: 0, half_open: 0 };
    for (const b of this.notClosed()) counts[b.state]++;
    return counts;
  }

  /** Every host whose breaker is open or half-open, with when an open one admits its next probe. */
  notClosed(): { host: string; state: Exclude<BreakerState, "closed">; retryAt: number | null }[] {
    const now = this.now();
    const found: { host: string; state: Exclude<BreakerState, "closed">; retryAt: number | null }[] = [];
    for (const [host, h] of this.hosts) {
      if (h.state === "open" && now >= h.openUntil) this.move(host, h, "half_open");
      if (h.state !== "closed") found.push({ host, state: h.state, retryAt: h.state === "open" ? h.openUntil : null });
    }
    return found;
  }

  private open(host: string, h: Host, now: number, openMs: number): void {
    h.openMs = openMs;
    // Jitter, as the jobs' own delays have: doubling open times alone can keep meeting a host that flaps on a
    // regular period in its down phase, holding the breaker open for minutes.
    h.openUntil = now + Math.round(openMs * (1 + JITTER_RATIO * this.random()));
    h.probeSince = null;
    this.move(host, h, "open");
  }

  private move(host: string, h: Host, to: BreakerState): void {
    if (h.state === to) return;
    h.state = to;
    this.options.onTransition?.(host, to);
  }

  /** The host's entry, created when missing and moved to the end: the map stays ordered by last failure. */
  private entry(host: string, now: number): Host {
    const h = this.hosts.get(host) ?? { state: "closed", failures: 0, openMs: this.options.openMs, openUntil: 0, probeSince: null, touched: now };
    h.touched = now;
    this.hosts.delete(host);
    this.hosts.set(host, h);
    this.forget(now);
    return h;
  }

  private forget(now: number): void {
    for (const [host, h] of this.hosts) {
      const idle = now - h.touched >= this.options.idleMs;
      if (!idle && this.hosts.size <= this.options.maxHosts) return;
      this.hosts.delete(host);
      if (h.state !== "closed") this.options.onTransition?.(host, "closed");
    }
  }
}
