/**
 * Runs `task` after a first delay, then `intervalMs` after each run ends (never two at once); `stop()` cancels the
 * next run and waits for one in progress. The task handles its own errors.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private current?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly intervalMs: number,
  ) {}

  /** True once stop() was called: a long run checks it between steps to end early. */
  get stopping(): boolean {
    return this.stopped;
  }

  start(firstDelayMs: number): void {
    this.schedule(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.task().finally(() => this.schedule(this.intervalMs));
    }, delayMs);
  }
}
