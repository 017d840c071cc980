import { Controller, Logger } from "@nestjs/common";
import { Ctx, Payload } from "@nestjs/microservices";
import { CONSUMERS, JobEvent, STREAMS } from "@hookstream/contracts";
import { JetStreamConsumer, JetStreamContext } from "@hookstream/jetstream";
import { DeadLetterStore } from "./dead-letter.store";
import { DlqMetrics } from "./dlq.metrics";
import { originalOfReplay } from "./replay.builder";

/**
 * JOB_EVENTS → entry status: a replayed job that succeeded, or that the worker found superseded by a newer event
 * (stale: nothing left to deliver), makes its entry reprocessed. The consumer is handed replays' events only
 * (`job-events.replay.>`); the others are acknowledged and ignored: failures reach the DLQ through advisories.
 */
@Controller()
export class OutcomeHandler {
  private readonly log = new Logger(OutcomeHandler.name);

  constructor(
    private readonly store: DeadLetterStore,
    private readonly metrics: DlqMetrics,
  ) {}

  @JetStreamConsumer(CONSUMERS.dlqOutcomes)
  async handle(@Payload() data: unknown, @Ctx() _ctx: JetStreamContext): Promise<void> {
    const parsed = JobEvent.safeParse(data);
    if (!parsed.success) return;
    const e = parsed.data;
    if (e.kind !== "succeeded" && e.kind !== "stale") return;
    // A stale event recorded before JobStale carried replayOf: the DLQ's own replays say it in their job id.
    const original = e.replayOf ?? (e.kind === "stale" ? originalOfReplay(e.jobId) : null);
    if (!original) return;
    if (await this.store.markReprocessed(original, STREAMS.jobs, e.jobSeq, e.kind)) {
      this.metrics.outcomes.inc({ outcome: "reprocessed" });
      this.log.log(`job ${original} reprocessed by its replay ${e.jobId}${e.kind === "stale" ? ` (superseded: ${e.reason})` : ""}`);
    }
  }
}
