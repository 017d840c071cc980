/**
 * At most `limit` holders at once; the others wait in arrival order. Memory is bounded by the callers, who each
 * wait for their turn.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`a semaphore needs a limit of at least 1, not ${limit}`);
  }

  /** Holders now. */
  get held(): number {
    return this.active;
  }

  /** Callers waiting for a turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `fn` once a turn is free, and frees the turn when `fn` settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    // A turn passes straight from the holder that frees it, so a newcomer cannot take it first.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
