/** Counts work in progress against a limit, so a consumer pulls only what it can start now. */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();
  private waiters: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get free(): number {
    return Math.max(0, this.limit - this.running.size);
  }

  get size(): number {
    return this.running.size;
  }

  async waitForSlot(): Promise<void> {
    while (this.free === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  track(work: Promise<unknown>): void {
    const done = work.finally(() => {
      this.running.delete(done);
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
    this.running.add(done);
  }

  /** Resolves true when everything finished, false if `timeoutMs` passed first. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const all = Promise.allSettled([...this.running]).then(() => true as const);
    const finished = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return finished;
  }
}
