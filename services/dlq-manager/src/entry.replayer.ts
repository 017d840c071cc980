import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { type Link, SpanKind, trace, TraceFlags } from "@opentelemetry/api";
import { STREAMS } from "@hookstream/contracts";
import { DeadLetter } from "@hookstream/database";
import { JetStreamPublisher, type OutgoingMessage } from "@hookstream/jetstream";
import { parseTraceparent } from "./dead-letter.builder";
import { DlqMetrics } from "./dlq.metrics";
import { planReplay, replayRefusal, type ReplayTrigger } from "./replay.builder";

export type ReplayResult =
  | { kind: "published"; n: number; msgId: string; stream: string; streamSeq: number; status: DeadLetter["status"] }
  | { kind: "refused"; reason: string }
  | { kind: "not_found" };

const tracer = trace.getTracer("hookstream-dlq-manager");

/**
 * Replays one entry: claims it, publishes the replay and records it, in one transaction that holds the entry's
 * row. Two replays of one entry cannot both pass the claim, and a failed publish leaves the entry as it was, so
 * its next replay reuses the same Nats-Msg-Id (JetStream drops it if the first publish did land).
 */
@Injectable()
export class EntryReplayer {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: JetStreamPublisher,
    private readonly metrics: DlqMetrics,
  ) {}

  async replay(id: string, trigger: ReplayTrigger, requestedBy: string, now = new Date()): Promise<ReplayResult> {
    const result = await this.db.transaction(async (m): Promise<ReplayResult> => {
      const entry = await m.getRepository(DeadLetter).findOne({ where: { id }, lock: { mode: "pessimistic_write" } });
      if (!entry) return { kind: "not_found" };
      const refusal = replayRefusal(entry, trigger, now);
      if (refusal) return { kind: "refused", reason: refusal };
      const n = entry.replayCount + 1;
      const plan = planReplay(entry, n, requestedBy, now);
      const handedOver = plan.stream === STREAMS.replays;
      // A job's replay is reprocessed once the worker reports it delivered; an event is the router's from the PubAck on.
      const status = handedOver ? "reprocessed" : "retrying";
      const ack = await this.publishLinked(plan.message, entry.headers.traceparent);
      await m.query(
        `UPDATE dead_letter_queue SET status = $2, replay_count = $3, retry_count = retry_count + $4, next_retry_at = NULL,
           reprocessed_at = CASE WHEN $2 = 'reprocessed' THEN now() END, updated_at = now()
         WHERE id = $1`,
        [id, status, n, trigger === "automatic" ? 1 : 0],
      );
      await m.query(
        `INSERT INTO dlq_replays (entry_id, n, msg_id, trigger, requested_by, stream, stream_seq, outcome, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, n, plan.message.msgId, trigger, requestedBy, ack.stream, ack.seq, handedOver ? "handed_over" : "pending", handedOver ? now : null],
      );
      return { kind: "published", n, msgId: plan.message.msgId, stream: ack.stream, streamSeq: ack.seq, status };
    });
    if (result.kind === "published") this.metrics.replays.inc({ trigger });
    return result;
  }

  /** Publishes in a span linked to the failed message's trace: the replay is its own trace, one click from the original. */
  private publishLinked(message: OutgoingMessage, traceparent: string | undefined) {
    const original = parseTraceparent(traceparent);
    const links: Link[] = original
      ? [{ context: { traceId: original.traceId, spanId: original.spanId, traceFlags: original.flags & TraceFlags.SAMPLED, isRemote: true } }]
      : [];
    return tracer.startActiveSpan(`replay ${message.subject}`, { kind: SpanKind.INTERNAL, links, root: true }, async (span) => {
      try {
        return await this.publisher.publish(message);
      } finally {
        span.end();
      }
    });
  }
}
