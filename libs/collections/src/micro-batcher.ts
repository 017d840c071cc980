export interface MicroBatcherOptions {
  /** A batch is written as soon as it has this many items. */
  maxItems: number;
  /** …or this long after its first item arrived. */
  maxDelayMs: number;
}

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Collects items from concurrent callers and writes them together, one write at a time: each caller's promise
 * settles when the write holding its item does, so a message is acknowledged only once its row is stored.
 * Items that arrive during a write form the next batch, which starts as soon as that write ends: under load,
 * batches grow (up to maxItems) instead of queueing. Memory is bounded by the callers, who each wait.
 */
export class MicroBatcher<T> {
  private pending: Pending<T>[] = [];
  private timer?: NodeJS.Timeout;
  private writing = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly options: MicroBatcherOptions,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.writing) return;
      if (this.pending.length >= this.options.maxItems) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs).unref();
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0, this.options.maxItems);
    if (batch.length === 0) return;
    this.writing = true;
    this.write(batch.map((p) => p.item))
      .then(
        () => batch.forEach((p) => p.resolve()),
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      )
      .finally(() => {
        this.writing = false;
        this.flush();
      });
  }
}
