import { Injectable, Logger } from "@nestjs/common";
import { Counter } from "prom-client";
import { CONSUMERS, STREAMS } from "@hookstream/contracts";
import type { ConsumerBinding, TransportObserver } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import { JobProjectionStore } from "./job-projection.store";
import type { JobRow } from "./job-row";
import { MicroBatcher } from "@hookstream/collections";

/** Rows per statement: large enough for a fan-out's burst, small enough to keep one statement short. */
export const PROJECTION_BATCH_ROWS = 1000;
/**
 * What a transition may wait for company before it is written. Long enough that a job's `started` and its outcome
 * usually share a batch (mergeByJob makes them one row write instead of two updates of an indexed row).
 */
const PROJECTION_FLUSH_MS = 200;

/**
 * The projector's consumers, bound beside the DLQ manager's own: the projection is operator data, served by the
 * console from here, and it leaves the worker's process (the busiest one, a core at most) to running jobs. Each may
 * hold a whole batch in flight. Untraced: three messages per job, each a row in a batch, would triple the spans for
 * nothing a trace needs.
 */
export const PROJECTOR_BINDINGS: ConsumerBinding[] = [
  { stream: STREAMS.jobs, consumer: CONSUMERS.projectorJobs, concurrency: PROJECTION_BATCH_ROWS, traced: false },
  { stream: STREAMS.jobEvents, consumer: CONSUMERS.projectorEvents, concurrency: PROJECTION_BATCH_ROWS, traced: false },
  { stream: STREAMS.advisories, consumer: CONSUMERS.projectorAdvisories, concurrency: PROJECTION_BATCH_ROWS, traced: false },
];
const PROJECTOR_CONSUMERS = new Set(PROJECTOR_BINDINGS.map((b) => b.consumer));

/** Batches rows from the projector's three consumers into shared writes. */
@Injectable()
export class JobProjection {
  private readonly log = new Logger(JobProjection.name);
  private readonly batcher: MicroBatcher<JobRow>;
  private readonly messages: Counter<"stream" | "outcome">;

  constructor(store: JobProjectionStore, metrics: MetricsService) {
    this.batcher = new MicroBatcher(
      (rows) =>
        metrics.time("project_jobs", () => store.write(rows)).catch((e: Error) => {
          this.log.warn(`writing ${rows.length} job transitions failed (they will be redelivered): ${e.message}`);
          throw e;
        }),
      { maxItems: PROJECTION_BATCH_ROWS, maxDelayMs: PROJECTION_FLUSH_MS },
    );
    this.messages = new Counter({
      name: "hookstream_projection_messages_total",
      help: "Messages the job lifecycle projector consumed, by outcome (ack, nak)",
      labelNames: ["stream", "outcome"],
      registers: [metrics.registry],
    });
  }

  /** Resolves once the row is stored. */
  project(row: JobRow): Promise<void> {
    return this.batcher.add(row);
  }

  /**
   * Counts the projector's messages apart from jobs: its acks on JOBS are not jobs done, and alert rules read
   * hookstream_messages_processed_total{stream="JOBS"} as exactly that.
   */
  transportObserver(next: TransportObserver): TransportObserver {
    return {
      ...next,
      onOutcome: (binding, outcome, error) => {
        if (PROJECTOR_CONSUMERS.has(binding.consumer)) this.messages.inc({ stream: binding.stream, outcome });
        else next.onOutcome?.(binding, outcome, error);
      },
    };
  }
}
