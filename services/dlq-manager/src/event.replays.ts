import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { STREAMS } from "@hookstream/contracts";
import { JetStreamPublisher } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import { type EventCursor, type EventFilter, eventSelection } from "./dlq.filters";
import { replayRequestMessage } from "./replay.builder";

export interface RoutedEvent extends EventCursor {
  eventType: string;
  streamSeq: number;
}

/**
 * Replays from the event log: finds routed events in `routed_events` (event id → WEBHOOKS sequence) and asks the
 * router, through REPLAYS, to route each again as new jobs linked to the originals.
 */
@Injectable()
export class EventReplays {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: JetStreamPublisher,
    private readonly metrics: MetricsService,
  ) {}

  async count(filter: EventFilter, asOf: Date): Promise<number> {
    const { where, params } = eventSelection(filter, asOf);
    const [row]: { n: number }[] = await this.db.query(`SELECT count(*)::int AS n FROM routed_events WHERE ${where}`, params);
    return row?.n ?? 0;
  }

  /** Oldest first, `limit` at a time after `after`. */
  async page(filter: EventFilter, asOf: Date, limit: number, after?: EventCursor): Promise<RoutedEvent[]> {
    const { where, params } = eventSelection(filter, asOf, after);
    const rows: { source: string; event_id: string; event_type: string; stream_seq: string; received_at: Date }[] = await this.db.query(
      `SELECT source, event_id, event_type, stream_seq, received_at FROM routed_events WHERE ${where}
        ORDER BY received_at, source, event_id LIMIT $${params.length + 1}`,
      [...params, limit],
    );
    return rows.map((r) => ({ source: r.source, eventId: r.event_id, eventType: r.event_type, streamSeq: Number(r.stream_seq), receivedAt: r.received_at.toISOString() }));
  }

  async request(event: RoutedEvent, replayId: string, requestedBy: string, workspaceId?: string): Promise<void> {
    const message = replayRequestMessage(
      { replayId, eventId: event.eventId, eventSeq: event.streamSeq, workspaceId, requestedBy, requestedAt: new Date().toISOString() },
      event.source,
      event.eventType,
    );
    await this.publisher.publish(message);
    this.metrics.published.inc({ stream: STREAMS.replays });
  }
}
