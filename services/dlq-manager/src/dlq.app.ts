import { CONSUMERS, STREAMS } from "@hookstream/contracts";
import { JetStreamServer, NATS_CONNECTION } from "@hookstream/jetstream";
import { createService, MetricsService } from "@hookstream/platform";
import type { DlqConfig } from "./config";
import { DlqModule } from "./dlq.module";
import { JobProjection, PROJECTOR_BINDINGS } from "./projection/job-projection";

/** Advisories are handled a few at a time: each is several reads and one insert. */
const ADVISORY_CONCURRENCY = 4;
/** Replayed jobs' events (`job-events.replay.>`): pulled in batches and not traced, like other bookkeeping. */
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
          ...PROJECTOR_BINDINGS,
        ],
        shutdownGraceMs: config.shutdownGraceMs,
        observer: app.get(JobProjection).transportObserver(app.get(MetricsService).transportObserver()),
      }),
  });
}
