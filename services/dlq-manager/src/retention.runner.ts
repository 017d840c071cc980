import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { setTimeout as sleep } from "node:timers/promises";
import { STREAMS } from "@hookstream/contracts";
import { JETSTREAM_MANAGER, type JetStreamManager } from "@hookstream/jetstream";
import { DLQ_CONFIG, type DlqConfig } from "./config";
import { Leadership } from "./leadership";
import { PeriodicTask } from "./periodic.task";
import { RetentionMetrics } from "./retention.metrics";
import { batchDeleteSql, moreBatches, type RetentionTable, type RetentionTarget, retentionTargets } from "./retention.plan";

/** Batches per table in one run at most (500 000 rows at the default batch size): a backlog is spread over runs. */
const MAX_BATCHES_PER_TABLE = 1000;
/** The first run waits this long after start-up (or one interval, if shorter): starting is busy enough. */
const FIRST_RUN_DELAY_MS = 60_000;

export interface RetentionRun {
  deleted: Partial<Record<RetentionTable, number>>;
  durationMs: number;
}

/**
 * Deletes projection rows past their age (see retention.plan), on the leader only: the same PostgreSQL advisory
 * lock as automatic recovery, confirmed before every batch, so two replicas never trim at once.
 */
@Injectable()
export class RetentionRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(RetentionRunner.name);
  private readonly periodic: PeriodicTask;

  constructor(
    @Inject(DLQ_CONFIG) private readonly config: DlqConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly leadership: Leadership,
    private readonly metrics: RetentionMetrics,
    @Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager,
  ) {
    this.periodic = new PeriodicTask(() => this.run(), config.retention.intervalMs);
  }

  onApplicationBootstrap(): void {
    this.periodic.start(Math.min(FIRST_RUN_DELAY_MS, this.config.retention.intervalMs));
  }

  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }

  /** One clean-up pass; null when another replica leads. A failed pass is logged, counted and tried again next time. */
  async run(now = new Date()): Promise<RetentionRun | null> {
    try {
      if (!(await this.leadership.hold())) return null;
      const started = performance.now();
      const deleted: RetentionRun["deleted"] = {};
      for (const target of retentionTargets(this.config.retention.ages, now, await this.webhooksMaxAgeMs())) {
        if (this.periodic.stopping) break;
        deleted[target.table] = await this.trim(target);
      }
      const durationMs = performance.now() - started;
      this.metrics.runs.inc({ outcome: "ok" });
      this.metrics.lastRun.set(Date.now() / 1000);
      this.metrics.lastRunDuration.set(durationMs / 1000);
      const total = Object.values(deleted).reduce((a, b) => a + b, 0);
      if (total > 0) {
        const per = Object.entries(deleted).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`);
        this.log.log(`retention run: ${total} rows deleted (${per.join(", ")}) in ${Math.round(durationMs)} ms`);
      }
      return { deleted, durationMs };
    } catch (e) {
      this.metrics.runs.inc({ outcome: "error" });
      this.log.warn(`retention run failed: ${(e as Error).message}`);
      return null;
    }
  }

  /** Batch after batch until a batch comes back short; each one autocommits, with a pause between them. */
  private async trim(target: RetentionTarget): Promise<number> {
    const { batchSize, batchPauseMs } = this.config.retention;
    const sql = batchDeleteSql(target);
    let total = 0;
    let batches = 0;
    let last = 0;
    do {
      if (batches > 0) await sleep(batchPauseMs);
      // Leadership may have been lost during the pause (its session ended): another replica may be trimming now.
      if (this.periodic.stopping || !(await this.leadership.hold())) break;
      const [, count] = (await this.db.query(sql, [target.cutoff, batchSize])) as [unknown, number];
      last = count;
      total += count;
      batches++;
      this.metrics.deleted.inc({ table: target.table }, count);
    } while (moreBatches(last, batchSize, batches, MAX_BATCHES_PER_TABLE));
    return total;
  }

  /** WEBHOOKS' max age as the server has it; null when NATS cannot say (routed_events is then left alone). */
  private async webhooksMaxAgeMs(): Promise<number | null> {
    try {
      return (await this.jsm.streams.info(STREAMS.webhooks)).config.max_age / 1e6;
    } catch (e) {
      this.log.warn(`WEBHOOKS stream not readable, routed_events kept this run: ${(e as Error).message}`);
      return null;
    }
  }
}
