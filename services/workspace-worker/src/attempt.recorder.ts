import { Injectable, Logger } from "@nestjs/common";
import { categorize, HEADERS, type JobAttemptFailed, STREAMS, SUBJECTS } from "@hookstream/contracts";
import { JetStreamPublisher } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import { DeliveryError } from "./destination.client";

export interface AttemptContext {
  jobId: string;
  jobSeq: number;
  workspaceId: string;
  attempt: number;
  startedAt: number;
}

/**
 * Puts every failed attempt on JOB_EVENTS before the job is nak'ed or terminated, so its history outlives the
 * worker and the DLQ entry can show each attempt's error.
 */
@Injectable()
export class AttemptRecorder {
  private readonly log = new Logger(AttemptRecorder.name);

  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly metrics: MetricsService,
  ) {}

  async failed(ctx: AttemptContext, error: unknown): Promise<void> {
    const { category, message } = categorize(error);
    const event: JobAttemptFailed = {
      kind: "attempt_failed",
      jobId: ctx.jobId,
      jobSeq: ctx.jobSeq,
      workspaceId: ctx.workspaceId,
      attempt: ctx.attempt,
      category,
      message,
      status: error instanceof DeliveryError ? error.status : undefined,
      at: new Date().toISOString(),
      durationMs: Math.round(performance.now() - ctx.startedAt),
    };
    try {
      await this.publisher.publish({
        subject: SUBJECTS.jobEvent("attempt_failed", ctx.jobSeq),
        data: event,
        // One record per delivery, however often this publish is retried.
        msgId: `${ctx.jobSeq}:${ctx.attempt}:attempt_failed`,
        headers: { [HEADERS.jobId]: ctx.jobId, [HEADERS.workspaceId]: ctx.workspaceId },
      });
      this.metrics.published.inc({ stream: STREAMS.jobEvents });
    } catch (e) {
      // The job's own retry or dead-lettering must not depend on this record.
      this.log.warn(`attempt ${ctx.attempt} of ${ctx.jobId} not recorded: ${(e as Error).message}`);
    }
  }
}
