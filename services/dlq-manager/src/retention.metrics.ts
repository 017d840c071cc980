import { Injectable } from "@nestjs/common";
import { Counter, Gauge } from "prom-client";
import { MetricsService } from "@hookstream/platform";
import { RETENTION_TABLES } from "./retention.plan";

/** What the retention clean-up did; labels are table names and outcomes, never ids. */
@Injectable()
export class RetentionMetrics {
  readonly deleted: Counter<"table">;
  readonly runs: Counter<"outcome">;
  readonly lastRun: Gauge;
  readonly lastRunDuration: Gauge;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.deleted = new Counter({ name: "hookstream_retention_deleted_rows_total", help: "Rows deleted by the retention clean-up, by table", labelNames: ["table"], registers });
    // Every table from the start: a rate over a series that appears only at its first deletion reads as no data.
    for (const table of RETENTION_TABLES) this.deleted.inc({ table }, 0);
    this.runs = new Counter({ name: "hookstream_retention_runs_total", help: "Retention clean-up runs on the leader, by outcome (ok, error)", labelNames: ["outcome"], registers });
    this.lastRun = new Gauge({ name: "hookstream_retention_last_run_timestamp_seconds", help: "When the last complete retention run on this replica ended (Unix time; 0 before the first)", registers });
    this.lastRunDuration = new Gauge({ name: "hookstream_retention_last_run_duration_seconds", help: "How long the last complete retention run on this replica took", registers });
  }
}
