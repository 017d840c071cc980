import { CONSUMERS, STREAMS } from "@hookstream/contracts";
import { JetStreamServer, NATS_CONNECTION } from "@hookstream/jetstream";
import { createService, MetricsService } from "@hookstream/platform";
import type { DlqConfig } from "./config";
import { DlqModule } from "./dlq.module";

/** Advisories are handled a few at a time: each is several reads and one insert. */
const ADVISORY_CONCURRENCY = 4;
/**
 * Job events are many (two per job) and mostly ignored (only a replay's outcome is acted on): pulled in large
 * batches and not traced, since a span would cost more than ignoring the event.
 */
const OUTCOME_CONCURRENCY = 256;

export function createDlqManager(config: DlqConfig) {
  return createService(DlqModule.forRoot(config), {
    name: "dlq-manager",
    port: config.port,
    logLevel: config.logLevel,
    transport: (app) =>
      new JetStreamServer({
        connection: app.get(NATS_CONNECTION),
        bindings: [
          { stream: STREAMS.advisories, consumer: CONSUMERS.dlqManager, concurrency: ADVISORY_CONCURRENCY },
          { stream: STREAMS.jobEvents, consumer: CONSUMERS.dlqOutcomes, concurrency: OUTCOME_CONCURRENCY, traced: false },
        ],
        shutdownGraceMs: config.shutdownGraceMs,
        observer: app.get(MetricsService).transportObserver(),
      }),
  });
}
