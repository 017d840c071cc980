import { Controller, Logger } from "@nestjs/common";
import { Ctx, Payload } from "@nestjs/microservices";
import { trace } from "@opentelemetry/api";
import { CONSUMERS, Job, validationError } from "@hookstream/contracts";
import { EventStore, JetStreamConsumer, JetStreamContext } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import { ActivityRecorder } from "./activity.recorder";
import { DestinationClient } from "./destination.client";
import { DestinationLookup } from "./destination.lookup";
import { type AttemptContext, JobEventsRecorder } from "./job-events.recorder";

/**
 * One job: record the workspace's activity (idempotent), then deliver the event to the workspace's destination.
 * A failure is recorded on JOB_EVENTS and rethrown; the transport's retry policy decides nak or term.
 */
@Controller()
export class JobHandler {
  private readonly log = new Logger(JobHandler.name);

  constructor(
    private readonly events: EventStore,
    private readonly destinations: DestinationLookup,
    private readonly activity: ActivityRecorder,
    private readonly client: DestinationClient,
    private readonly jobEvents: JobEventsRecorder,
    private readonly metrics: MetricsService,
  ) {}

  @JetStreamConsumer(CONSUMERS.workspaceWorker)
  async handle(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    const startedAt = performance.now();
    const parsed = Job.safeParse(data);
    const attempt: AttemptContext = {
      jobId: parsed.success ? parsed.data.jobId : `#${ctx.seq}`,
      jobSeq: ctx.seq,
      workspaceId: parsed.success ? parsed.data.workspaceId : "unknown",
      attempt: ctx.deliveryCount,
      startedAt,
      replayOf: parsed.data?.replayOf,
    };
    try {
      const status = await this.metrics.time("job", async () => {
        if (!parsed.success) throw validationError(`not a job envelope: ${parsed.error.issues[0]?.message ?? "invalid"}`, parsed.error);
        return this.run(parsed.data);
      });
      await this.jobEvents.succeeded(attempt, status);
    } catch (error) {
      await this.jobEvents.failed(attempt, error);
      throw error;
    }
  }

  /** Returns the destination's status, when there is a destination. */
  private async run(job: Job): Promise<number | undefined> {
    trace.getActiveSpan()?.setAttributes({
      "hookstream.source": job.event.source,
      "hookstream.event_type": job.event.type,
      "hookstream.workspace_id": job.workspaceId,
      "hookstream.job_id": job.jobId,
    });
    const destination = await this.destinations.find(job.subscriptionId);
    if (!destination) {
      this.log.debug(`job ${job.jobId}: subscription ${job.subscriptionId} was removed; nothing to do`);
      return undefined;
    }
    await this.activity.record(job);
    if (!destination.url) return undefined;
    const event = await this.events.get(job.event.seq, job.event.id);
    const { status } = await this.client.deliver({
      url: destination.url,
      secret: destination.secret,
      id: job.jobId,
      body: JSON.stringify(event.payload),
      headers: {
        "x-hookstream-source": event.source,
        "x-hookstream-event-type": event.type,
        "x-hookstream-workspace-id": job.workspaceId,
      },
    });
    return status;
  }
}
