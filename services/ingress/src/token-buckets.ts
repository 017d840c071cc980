import { BoundedCache } from "@hookstream/collections";
import { parseDuration } from "@hookstream/platform";

/** `30/1m`: up to 30 at once, refilled continuously at 30 a minute. */
export interface Rate {
  burst: number;
  perMs: number;
}

/** `<count>/<duration>`, e.g. `30/1m` or `1000/1s`; throws with the reason otherwise. */
export function parseRate(text: string): Rate {
  const match = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a rate (use e.g. 30/1m or 1000/1s)`);
  const burst = Number(match[1]);
  const perMs = parseDuration(match[2]!);
  if (burst < 1 || perMs < 1) throw new Error(`"${text}" must allow at least one request in a positive duration`);
  return { burst, perMs };
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Tokens in a bucket at `now`: refilled since it was last spent from, never above the burst; full when unknown. */
function level(bucket: Bucket | undefined, rate: Rate, now: number): number {
  return bucket ? Math.min(rate.burst, bucket.tokens + ((now - bucket.at) * rate.burst) / rate.perMs) : rate.burst;
}

/** Milliseconds until a bucket holding `tokens` has a whole one; 0 when it has. */
function waitFor(tokens: number, rate: Rate): number {
  return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * rate.perMs) / rate.burst);
}

/**
 * A token bucket per key, in memory, for at most `maxKeys` keys: past that the least recently used is forgotten
 * (it starts full again when it comes back). An untouched bucket is forgotten once it would be full anyway.
 */
export class TokenBuckets {
  private readonly buckets: BoundedCache<string, Bucket>;

  constructor(
    readonly rate: Rate,
    maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new BoundedCache(maxKeys, rate.perMs, now);
  }

  /** Milliseconds until `key` may spend a token (0: now); spends nothing. */
  wait(key: string): number {
    return waitFor(level(this.buckets.get(key), this.rate, this.now()), this.rate);
  }

  /** Spends a token of `key` and answers 0, or, when it has none, spends nothing and answers the milliseconds until it will. */
  take(key: string): number {
    const now = this.now();
    const tokens = level(this.buckets.get(key), this.rate, now);
    if (tokens < 1) return waitFor(tokens, this.rate);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }

  get size(): number {
    return this.buckets.size;
  }
}
