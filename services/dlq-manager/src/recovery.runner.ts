import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { hostname } from "node:os";
import { DLQ_CONFIG, type DlqConfig } from "./config";
import { DeadLetterStore } from "./dead-letter.store";
import { EntryReplayer } from "./entry.replayer";
import { Leadership } from "./leadership";
import { Operations } from "./operations";
import { PeriodicTask } from "./periodic.task";

export interface RecoveryRun {
  due: number;
  replayed: number;
  skipped: number;
  errors: number;
}

/** Who replays automatically, in `dlq_replays.requested_by`. */
export const RECOVERY_ACTOR = "automatic-recovery";

/**
 * Automatic recovery, on the leader only: every DLQ_RECOVERY_INTERVAL, replays the entries whose next retry is
 * due (transient categories only; see recovery.schedule) and logs the run in `dlq_processing_log`.
 */
@Injectable()
export class RecoveryRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(RecoveryRunner.name);
  private readonly instance = `${hostname()}:${process.pid}`;
  private readonly periodic: PeriodicTask;

  constructor(
    @Inject(DLQ_CONFIG) private readonly config: DlqConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly leadership: Leadership,
    private readonly store: DeadLetterStore,
    private readonly replayer: EntryReplayer,
    private readonly operations: Operations,
  ) {
    this.periodic = new PeriodicTask(() => this.tick(), config.recovery.intervalMs);
  }

  onApplicationBootstrap(): void {
    this.periodic.start(0);
  }

  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }

  private async tick(): Promise<void> {
    try {
      if (!(await this.leadership.hold())) return;
      await this.operations.expireStale();
      await this.recover();
    } catch (e) {
      this.log.warn(`recovery run failed: ${(e as Error).message}`);
    }
  }

  /** One run; logged only when something was due, so an idle DLQ does not fill the log. */
  async recover(): Promise<RecoveryRun> {
    const startedAt = new Date();
    const ids = await this.store.due(this.config.recovery.batch, startedAt);
    const run: RecoveryRun = { due: ids.length, replayed: 0, skipped: 0, errors: 0 };
    if (ids.length === 0) return run;
    let lastError: string | null = null;
    for (const id of ids) {
      if (this.periodic.stopping) break;
      try {
        const result = await this.replayer.replay(id, "automatic", RECOVERY_ACTOR);
        if (result.kind === "published") run.replayed++;
        else run.skipped++;
      } catch (e) {
        // Left as it was: due again on the next run.
        run.errors++;
        lastError = (e as Error).message;
      }
    }
    await this.db.query(
      `INSERT INTO dlq_processing_log (instance, started_at, due, replayed, skipped, errors, error) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [this.instance, startedAt, run.due, run.replayed, run.skipped, run.errors, lastError],
    );
    this.log.log(`recovery run: ${run.replayed} of ${run.due} due entries replayed${run.errors ? `, ${run.errors} errors (${lastError})` : ""}`);
    return run;
  }
}
