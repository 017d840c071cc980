import { Controller, Inject, Logger } from "@nestjs/common";
import { Ctx, Payload } from "@nestjs/microservices";
import { trace } from "@opentelemetry/api";
import { CONSUMERS, Job, validationError } from "@hookstream/contracts";
import { type DeliveryState, EventStore, JetStreamConsumer, JetStreamContext } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import { DestinationReader } from "@hookstream/subscriptions";
import { WORKER_CONFIG, type WorkerConfig } from "./config";
import { DeferredError, isLastDelivery } from "./deferral";
import { entityVersionOf } from "./entity-version";
import { WorkspaceFairness } from "./fairness";
import { JobHandlerRegistry } from "./handlers/job-handler.registry";
import { type AttemptContext, JobEventsRecorder } from "./job-events.recorder";
import { RetrySchedule } from "./retry.schedule";
import { StalenessGuard } from "./staleness.guard";
import { WorkerMetrics } from "./worker.metrics";

type Outcome = { applied: true; status?: number } | { applied: false; entity: string; reason: string };

/**
 * One job. Before any work, its workspace's in-flight limit: over it, the job is deferred. Then, for an event that
 * carries an entity and a time, a job older than the one last applied to that workspace and entity is acknowledged
 * as stale. Otherwise the handlers registered for its source and event type run in order (activity, cache
 * invalidation, delivery). A failure is recorded on JOB_EVENTS, stored before the job is retried or given up on,
 * and rethrown for the transport's retry policy; a deferral is not a failed attempt, so it is only counted.
 */
@Controller()
export class JobHandler {
  private readonly log = new Logger(JobHandler.name);

  constructor(
    private readonly events: EventStore,
    private readonly destinations: DestinationReader,
    private readonly handlers: JobHandlerRegistry,
    private readonly fairness: WorkspaceFairness,
    private readonly staleness: StalenessGuard,
    private readonly schedule: RetrySchedule,
    private readonly jobEvents: JobEventsRecorder,
    private readonly metrics: MetricsService,
    private readonly workerMetrics: WorkerMetrics,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
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
      if (!parsed.success) throw validationError(`not a job envelope: ${parsed.error.issues[0]?.message ?? "invalid"}`, parsed.error);
      const job = parsed.data;
      const delivery = await this.schedule.of(ctx.deliveryCount);
      const admission = this.fairness.admit(job.workspaceId, { count: delivery.deliveryCount, last: isLastDelivery(delivery) });
      if (!admission.admitted) {
        throw new DeferredError("workspace_limit", `workspace ${job.workspaceId} has ${this.config.workspaceConcurrency} jobs running here`, admission.delayMs);
      }
      this.jobEvents.started(attempt);
      try {
        const outcome = await this.metrics.time("job", () => this.run(job, delivery));
        if (outcome.applied) this.jobEvents.succeeded(attempt, outcome.status);
        else this.jobEvents.stale(attempt, outcome.entity, outcome.reason);
      } finally {
        admission.release();
      }
    } catch (error) {
      if (error instanceof DeferredError) this.workerMetrics.deferred.inc({ reason: error.reason });
      else await this.jobEvents.failed(attempt, error);
      throw error;
    }
  }

  private async run(job: Job, delivery: DeliveryState): Promise<Outcome> {
    trace.getActiveSpan()?.setAttributes({
      "hookstream.source": job.event.source,
      "hookstream.event_type": job.event.type,
      "hookstream.workspace_id": job.workspaceId,
      "hookstream.job_id": job.jobId,
    });
    const destination = await this.destinations.forDelivery(job.subscriptionId);
    if (!destination) {
      this.log.debug(`job ${job.jobId}: subscription ${job.subscriptionId} was removed; nothing to do`);
      return { applied: true };
    }
    const event = job.inlineEvent ?? (await this.events.get(job.event.seq, job.event.id));
    const version = entityVersionOf(event);
    if (version) {
      const newer = await this.staleness.newerApplied(job.workspaceId, event.source, version);
      if (newer) {
        this.workerMetrics.stale.inc({ source: event.source });
        const reason = `${version.entity} as of ${version.at.toISOString()} is older than ${newer.at.toISOString()}, applied by event ${newer.eventId}`;
        return { applied: false, entity: `${event.source}/${version.entity}`, reason };
      }
    }
    let status: number | undefined;
    for (const { handler } of this.handlers.for(event.source, event.type)) {
      const result = await handler.handle({ job, event, destination, delivery });
      if (result?.status !== undefined) status = result.status;
    }
    if (version) await this.staleness.applied(job.workspaceId, event.source, version, event.id);
    return { applied: true, status };
  }
}
