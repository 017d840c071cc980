import { Injectable } from "@nestjs/common";
import { Counter, Gauge } from "prom-client";
import { MetricsService } from "@hookstream/platform";
import { DeadLetterStore } from "./dead-letter.store";
import type { DlqStats } from "./dlq.stats";
import { Leadership } from "./leadership";

/** Stats read for one scrape serve every gauge of it. */
const STATS_TTL_MS = 1000;

/**
 * The DLQ's gauges and recovery counters. Gauges describe the whole table, so only the leader exports them:
 * with several replicas, a `sum` in an alert rule would otherwise count every entry once per replica.
 */
@Injectable()
export class DlqMetrics {
  readonly replays: Counter<"trigger">;
  readonly outcomes: Counter<"outcome">;
  private cached?: { at: number; stats: Promise<DlqStats | null> };

  constructor(metrics: MetricsService, store: DeadLetterStore, leadership: Leadership) {
    const registers = [metrics.registry];
    const stats = () => {
      if (!this.cached || Date.now() - this.cached.at > STATS_TTL_MS) {
        this.cached = { at: Date.now(), stats: leadership.isLeader ? store.stats().catch(() => null) : Promise.resolve(null) };
      }
      return this.cached.stats;
    };
    new Gauge({
      name: "hookstream_dlq_entries",
      help: "Dead-letter entries by status and error category (exported by the recovery leader only)",
      labelNames: ["status", "category"],
      registers,
      async collect() {
        const s = await stats();
        this.reset();
        if (!s) return;
        // Every combination, zeros included: a series that vanished would read as "no data", not as none left.
        for (const status of Object.keys(s.byStatus)) for (const category of Object.keys(s.byCategory)) this.set({ status, category }, 0);
        for (const r of s.byStatusAndCategory) this.set({ status: r.status, category: r.category }, r.n);
      },
    });
    new Gauge({
      name: "hookstream_dlq_oldest_pending_age_seconds",
      help: "Age of the oldest pending dead-letter entry, 0 when none (exported by the recovery leader only)",
      registers,
      async collect() {
        const s = await stats();
        this.reset();
        if (s) this.set(s.oldestPendingAgeSeconds);
      },
    });
    new Gauge({
      name: "hookstream_dlq_recovery_leader",
      help: "1 on the DLQ manager replica that runs automatic recovery",
      registers,
      collect() {
        this.set(leadership.isLeader ? 1 : 0);
      },
    });
    this.replays = new Counter({ name: "hookstream_dlq_replays_total", help: "Dead-letter entries replayed, by what triggered the replay", labelNames: ["trigger"], registers });
    this.outcomes = new Counter({
      name: "hookstream_dlq_recovery_outcomes_total",
      help: "What replays led to: reprocessed, failed_again (waiting for its next retry or an operator), exhausted (every automatic retry spent)",
      labelNames: ["outcome"],
      registers,
    });
  }
}
