import { Controller, Inject, Logger } from "@nestjs/common";
import { Ctx, Payload } from "@nestjs/microservices";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import type { JetStreamManager, StoredMsg } from "@nats-io/jetstream";
import { CONSUMERS, DeliveryAdvisory, HookstreamError, Job, STREAMS, WebhookEvent } from "@hookstream/contracts";
import { JETSTREAM_MANAGER, JetStreamConsumer, JetStreamContext } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import { AttemptHistory } from "./attempt.history";
import { DLQ_CONFIG, type DlqConfig } from "./config";
import { buildDeadLetter, type FailedMessage, failedMessageBody } from "./dead-letter.builder";
import { DeadLetterStore } from "./dead-letter.store";
import { DlqMetrics } from "./dlq.metrics";

const DELIVERING_CONSUMERS: Record<string, string> = { [STREAMS.jobs]: CONSUMERS.workspaceWorker, [STREAMS.webhooks]: CONSUMERS.router };

/**
 * ADVISORIES → dead_letter_queue. The advisory names the stream and sequence of the failed message; the entry
 * gathers that message, its event's payload and its recorded attempts; a failed replay adds them to its job's
 * entry instead. A failure here naks the advisory, so it is retried until PostgreSQL and NATS answer: an
 * advisory is the only trace of a failure.
 */
@Controller()
export class AdvisoryHandler {
  private readonly log = new Logger(AdvisoryHandler.name);

  constructor(
    @Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager,
    @InjectDataSource() private readonly db: DataSource,
    private readonly history: AttemptHistory,
    private readonly store: DeadLetterStore,
    private readonly metrics: MetricsService,
    private readonly dlqMetrics: DlqMetrics,
    @Inject(DLQ_CONFIG) private readonly config: DlqConfig,
  ) {}

  @JetStreamConsumer(CONSUMERS.dlqManager)
  async handle(@Payload() data: unknown, @Ctx() _ctx: JetStreamContext): Promise<void> {
    const parsed = DeliveryAdvisory.safeParse(data);
    if (!parsed.success) {
      this.log.warn(`ignoring a message on ${STREAMS.advisories} that is not a delivery advisory`);
      return;
    }
    const advisory = parsed.data;
    // Limit-based removals raise terminations with no delivery: nothing failed.
    if (advisory.deliveries === 0) return;
    // Only the consumers that deliver dead-letter: another reader of JOBS giving up on a message (a projection)
    // says nothing about its delivery, and replaying it would deliver it again.
    if (DELIVERING_CONSUMERS[advisory.stream] !== advisory.consumer) {
      this.log.warn(`ignoring a ${advisory.type} advisory of ${advisory.stream} > ${advisory.consumer}: not a delivering consumer`);
      return;
    }
    await this.metrics.time("dead_letter", () => this.deadLetter(advisory));
  }

  private async deadLetter(advisory: DeliveryAdvisory): Promise<void> {
    const stored = await this.fetch(advisory.stream, advisory.stream_seq);
    const message = stored ? toFailedMessage(stored) : null;
    const job = advisory.stream === STREAMS.jobs && message ? (Job.safeParse(message.body).data ?? null) : null;
    const eventSource = job ? await this.fetch(STREAMS.webhooks, job.event.seq) : advisory.stream === STREAMS.webhooks ? stored : null;
    const event = eventSource ? (WebhookEvent.safeParse(eventSource.json()).data ?? null) : null;
    const attempts = advisory.stream === STREAMS.jobs ? await this.history.of(advisory.stream_seq) : [];
    const destinationUrl = job ? await this.destinationOf(job.subscriptionId) : null;
    const entry = buildDeadLetter({ advisory, message, job, event, attempts, destinationUrl });
    const recorded = await this.store.recordFailure(entry, this.config.recovery.delaysMs);
    const what = `${advisory.stream} #${advisory.stream_seq} (${entry.reason}, ${entry.errorCategory}, workspace ${entry.workspaceId ?? "-"})`;
    if (recorded.kind === "created") {
      this.metrics.deadLettered.inc({ category: entry.errorCategory });
      this.log.log(`dead-lettered ${what}`);
    } else if (recorded.kind === "merged") {
      const exhausted = recorded.state.status === "failed";
      this.dlqMetrics.outcomes.inc({ outcome: exhausted ? "exhausted" : "failed_again" });
      this.log.log(`replay of job ${entry.jobId} failed: ${what}${exhausted ? "; automatic retries spent" : ""}`);
    }
  }

  private async fetch(stream: string, seq: number): Promise<StoredMsg | null> {
    try {
      return await this.jsm.streams.getMessage(stream, { seq });
    } catch (e) {
      throw new HookstreamError("external_api", `reading ${stream} #${seq}: ${(e as Error).message}`, { cause: e });
    }
  }

  private async destinationOf(subscriptionId: string): Promise<string | null> {
    const rows: { destination_url: string | null }[] = await this.db.query("SELECT destination_url FROM subscriptions WHERE id = $1", [subscriptionId]);
    return rows[0]?.destination_url ?? null;
  }
}

function toFailedMessage(m: StoredMsg): FailedMessage {
  const headers: Record<string, string> = {};
  for (const k of m.header?.keys() ?? []) headers[k] = m.header!.get(k);
  return { subject: m.subject, headers, body: failedMessageBody(m.data) };
}
