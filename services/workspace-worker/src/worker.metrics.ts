import { Injectable } from "@nestjs/common";
import { Counter, Gauge } from "prom-client";
import { MetricsService } from "@hookstream/platform";
import { CircuitBreakers } from "./circuit-breaker";

/** The worker's own metrics; labels are bounded sets (reason, source, outcome, state), never hosts or ids. */
@Injectable()
export class WorkerMetrics {
  readonly deferred: Counter<"reason">;
  readonly stale: Counter<"source">;
  readonly cacheInvalidations: Counter<"outcome">;

  constructor(metrics: MetricsService, breakers: CircuitBreakers) {
    const registers = [metrics.registry];
    this.deferred = new Counter({
      name: "hookstream_jobs_deferred_total",
      help: "Jobs put back without being attempted: workspace_limit (its workspace had its share running), circuit_open (its host's breaker was open)",
      labelNames: ["reason"],
      registers,
    });
    this.stale = new Counter({ name: "hookstream_jobs_stale_total", help: "Jobs acknowledged without being applied: a newer one for the same entity was", labelNames: ["source"], registers });
    this.cacheInvalidations = new Counter({
      name: "hookstream_cache_invalidations_total",
      help: "Cache invalidations: dropped (keys purged from the workspace's KV bucket), no_bucket (the workspace caches nothing)",
      labelNames: ["outcome"],
      registers,
    });
    new Gauge({
      name: "hookstream_circuit_breakers",
      help: "Destination hosts whose circuit breaker is open or half-open in this process",
      labelNames: ["state"],
      registers,
      collect() {
        for (const [state, n] of Object.entries(breakers.countByState())) this.set({ state }, n);
      },
    });
  }
}
