import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from "@nestjs/common";
import { JobProjectionStore } from "./job-projection.store";

/** How long a job's affected_workspaces may lag behind its event's fan-out. */
const RECOUNT_EVERY_MS = 1000;

/**
 * Recounts, every second, the events whose jobs' affected_workspaces fell behind (see job-projection.store.ts).
 * What is noted survives in PostgreSQL, so a replica that stops leaves nothing undone: any other one recounts it.
 */
@Injectable()
export class FanoutRecounter implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(FanoutRecounter.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly store: JobProjectionStore) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.store
        .recountDue()
        .catch((e: Error) => this.log.warn(`recounting fan-outs failed (retried in ${RECOUNT_EVERY_MS} ms): ${e.message}`))
        .finally(() => this.schedule());
    }, RECOUNT_EVERY_MS).unref();
  }
}
