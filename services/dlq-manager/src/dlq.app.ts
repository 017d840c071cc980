import { CONSUMERS, STREAMS } from "@hookstream/contracts";
import { createService, jetStreamTransport } from "@hookstream/platform";
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
    transport: jetStreamTransport({
      bindings: [
        { stream: STREAMS.advisories, consumer: CONSUMERS.dlqManager, concurrency: ADVISORY_CONCURRENCY },
        { stream: STREAMS.jobEvents, consumer: CONSUMERS.dlqOutcomes, concurrency: OUTCOME_CONCURRENCY, traced: false },
        ...PROJECTOR_BINDINGS,
      ],
      shutdownGraceMs: config.shutdownGraceMs,
      observe: (app, metrics) => app.get(JobProjection).transportObserver(metrics),
    }),
  });
}
