import { Injectable, Logger, type OnModuleDestroy } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { paceDelay } from "./pacing";

export type OperationKind = "dlq_replay" | "event_replay";

export interface OperationView {
  id: string;
  kind: OperationKind;
  requestedBy: string;
  filter: Record<string, unknown>;
  rate: number;
  status: "running" | "done" | "failed" | "interrupted";
  total: number;
  done: number;
  skipped: number;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface OperationSpec<T> {
  kind: OperationKind;
  requestedBy: string;
  filter: object;
  /** Items per second at most. */
  rate: number;
  total: number;
  /** The next page of items after the last one handled (none yet: the first page); empty when there are no more. */
  page: (after: T | undefined) => Promise<T[]>;
  /** Handles one item: true when done, false when skipped (no longer eligible). */
  handle: (item: T) => Promise<boolean>;
}

/** Progress is written at most this often, and a running operation not written for STALE_MS is interrupted. */
const PROGRESS_MS = 1000;
const STALE_MS = 2 * 60_000;
/** Items handled at once: each is a transaction of its own, so they overlap their commits. */
const OPERATION_CONCURRENCY = 8;
/** A failing item is tried again after these delays before the operation fails. */
const ITEM_RETRIES_MS = [500, 2000, 5000];

/**
 * Long replays run in the background at a bounded rate, a page of ids at a time (bounded memory), with their
 * progress in `dlq_operations` for the API and the CLI's progress bar.
 */
@Injectable()
export class Operations implements OnModuleDestroy {
  private readonly log = new Logger(Operations.name);
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async start<T>(spec: OperationSpec<T>): Promise<string> {
    const [{ id }]: { id: string }[] = await this.db.query(
      `INSERT INTO dlq_operations (kind, requested_by, filter, rate, total) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [spec.kind, spec.requestedBy, JSON.stringify(spec.filter), spec.rate, spec.total],
    );
    const run = this.run(id, spec).finally(() => this.running.delete(id));
    this.running.set(id, run);
    return id;
  }

  async get(id: string): Promise<OperationView | null> {
    const rows: OperationView[] = await this.db.query(
      `SELECT id, kind, requested_by AS "requestedBy", filter, rate, status, total, done, skipped, error,
              created_at AS "createdAt", updated_at AS "updatedAt", finished_at AS "finishedAt"
         FROM dlq_operations WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Operations whose replica died stay `running` until this marks them interrupted (run by the recovery leader). */
  async expireStale(): Promise<void> {
    await this.db.query(
      `UPDATE dlq_operations SET status = 'interrupted', error = 'the DLQ manager running it stopped', finished_at = now()
        WHERE status = 'running' AND updated_at < now() - make_interval(secs => $1)`,
      [STALE_MS / 1000],
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running.values()]);
  }

  private async run<T>(id: string, spec: OperationSpec<T>): Promise<void> {
    const started = performance.now();
    const progress = { done: 0, skipped: 0 };
    const running = new Set<Promise<void>>();
    let failure: Error | undefined;
    let written = started;
    let index = 0;
    let after: T | undefined;
    try {
      pages: for (let page = await spec.page(after); page.length > 0; page = await spec.page(after)) {
        for (const item of page) {
          if (this.stopping || failure) break pages;
          await sleep(paceDelay(index++, spec.rate, performance.now() - started));
          while (running.size >= OPERATION_CONCURRENCY) await Promise.race(running);
          const work: Promise<void> = this.withRetries(() => spec.handle(item))
            .then(
              (done) => void (done ? progress.done++ : progress.skipped++),
              (e: Error) => void (failure ??= e),
            )
            .finally(() => running.delete(work));
          running.add(work);
          if (performance.now() - written >= PROGRESS_MS) {
            written = performance.now();
            await this.db.query(`UPDATE dlq_operations SET done = $2, skipped = $3, updated_at = now() WHERE id = $1`, [id, progress.done, progress.skipped]);
          }
        }
        after = page.at(-1);
      }
      await Promise.all(running);
      if (failure) throw failure;
      if (this.stopping) await this.finish(id, progress, "interrupted", "the DLQ manager stopped");
      else await this.finish(id, progress, "done", null);
    } catch (e) {
      await Promise.allSettled(running);
      this.log.warn(`${spec.kind} ${id} failed after ${progress.done} items: ${(e as Error).message}`);
      await this.finish(id, progress, "failed", (e as Error).message).catch(() => undefined);
    }
  }

  private async withRetries(fn: () => Promise<boolean>): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const delay = ITEM_RETRIES_MS[attempt];
        if (delay === undefined || this.stopping) throw e;
        await sleep(delay);
      }
    }
  }

  private async finish(id: string, p: { done: number; skipped: number }, status: OperationView["status"], error: string | null): Promise<void> {
    await this.db.query(
      `UPDATE dlq_operations SET status = $2, done = $3, skipped = $4, error = $5, updated_at = now(), finished_at = now() WHERE id = $1`,
      [id, status, p.done, p.skipped, error],
    );
  }
}

const sleep = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
