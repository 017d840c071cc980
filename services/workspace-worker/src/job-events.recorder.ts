import { Injectable, Logger } from "@nestjs/common";
import { categorize, HEADERS, type JobAttemptFailed, type JobEventKind, type JobStale, type JobStarted, type JobSucceeded, processingModeOf, STREAMS, SUBJECTS } from "@hookstream/contracts";
import { JetStreamPublisher, type OutgoingMessage } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import { DeliveryError } from "./destination.client";

export interface AttemptContext {
  jobId: string;
  jobSeq: number;
  workspaceId: string;
  attempt: number;
  startedAt: number;
  replayOf?: string;
}

/**
 * Puts each attempt's start and outcome on JOB_EVENTS, so a job's history outlives the worker: the DLQ entry shows
 * every attempt's error, a replay's success is visible, and the job lifecycle projection is built from them.
 * An outcome is published before the job is acked, nak'ed or terminated, on the same connection. A success's PubAck
 * is not awaited: waiting would add a round trip to every job. A failure's is (failures are few): it may be the
 * job's last, and the DLQ manager reads the attempts as soon as JetStream gives up, which on a replicated stream
 * could otherwise come before the record is stored. Either way the job's own ack, retry or dead-lettering never
 * depends on this record: a refusal (a full stream) or a timeout is logged.
 */
@Injectable()
export class JobEventsRecorder {
  private readonly log = new Logger(JobEventsRecorder.name);

  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Without a PubAck: waiting for it would add a round trip to every job, and receiving it costs CPU. A lost or
   * late `started` costs nothing, since the projection orders transitions by attempt and a job's outcome implies
   * its start.
   */
  started(ctx: AttemptContext): void {
    const event: JobStarted = { kind: "started", ...this.identity(ctx) };
    try {
      this.publisher.publishUnacknowledged(this.message(ctx, event.kind, event));
      this.metrics.published.inc({ stream: STREAMS.jobEvents });
    } catch (e) {
      this.log.warn(`started of ${ctx.jobId} (attempt ${ctx.attempt}) not recorded: ${(e as Error).message}`);
    }
  }

  /** Resolves once the record is stored, or its refusal logged; never rejects. */
  failed(ctx: AttemptContext, error: unknown): Promise<void> {
    const { category, message } = categorize(error);
    const event: JobAttemptFailed = {
      kind: "attempt_failed",
      ...this.outcome(ctx),
      category,
      message,
      status: error instanceof DeliveryError ? error.status : undefined,
    };
    return this.publish(ctx, event.kind, event);
  }

  succeeded(ctx: AttemptContext, status?: number): void {
    const event: JobSucceeded = { kind: "succeeded", ...this.outcome(ctx), replayOf: ctx.replayOf, status };
    void this.publish(ctx, event.kind, event);
  }

  /** Acknowledged without being applied: a newer job for the same workspace and `entity` was applied first. */
  stale(ctx: AttemptContext, entity: string, reason: string): void {
    const event: JobStale = { kind: "stale", ...this.outcome(ctx), replayOf: ctx.replayOf, entity, reason };
    void this.publish(ctx, event.kind, event);
  }

  private identity(ctx: AttemptContext) {
    return { jobId: ctx.jobId, jobSeq: ctx.jobSeq, workspaceId: ctx.workspaceId, attempt: ctx.attempt, at: new Date().toISOString() };
  }

  private outcome(ctx: AttemptContext) {
    return { ...this.identity(ctx), durationMs: Math.round(performance.now() - ctx.startedAt) };
  }

  private message(ctx: AttemptContext, kind: JobEventKind, data: unknown): OutgoingMessage {
    return {
      subject: SUBJECTS.jobEvent(processingModeOf(ctx.replayOf), kind, ctx.jobSeq),
      data,
      // One record per delivery, however often this publish is retried.
      msgId: `${ctx.jobSeq}:${ctx.attempt}:${kind}`,
      headers: { [HEADERS.jobId]: ctx.jobId, [HEADERS.workspaceId]: ctx.workspaceId },
    };
  }

  /** Sends at once (the publish is written before this returns); resolves once the PubAck came or the refusal was logged. */
  private publish(ctx: AttemptContext, kind: JobEventKind, data: unknown): Promise<void> {
    return this.publisher.publish(this.message(ctx, kind, data), { span: false }).then(
      () => this.metrics.published.inc({ stream: STREAMS.jobEvents }),
      (e: Error) => this.log.warn(`${kind} of ${ctx.jobId} (attempt ${ctx.attempt}) not recorded: ${e.message}`),
    );
  }
}
