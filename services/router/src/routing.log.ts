import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import type { WebhookEvent } from "@hookstream/contracts";

/**
 * routed_events: the routing decision per event, and the guard against routing an event twice. A redelivery of
 * the same stream message may route again (its jobs are deduplicated by Nats-Msg-Id); the same event id stored
 * again later (a provider's replay after the stream's duplicate window) may not.
 */
@Injectable()
export class RoutingLog {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** False when this event id was already routed from another stream message. */
  async claim(event: WebhookEvent, seq: number): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO routed_events (source, event_id, event_type, resource, stream_seq, received_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (source, event_id) DO UPDATE SET routed_at = now() WHERE routed_events.stream_seq = EXCLUDED.stream_seq
       RETURNING 1`,
      [event.source, event.id, event.type, event.resource, seq, event.receivedAt],
    );
    return rows.length > 0;
  }

  async record(event: WebhookEvent, workspaces: string[], durationMs: number): Promise<void> {
    await this.db.query(
      `UPDATE routed_events SET job_count = $3, workspaces = $4, duration_ms = $5, routed_at = now() WHERE source = $1 AND event_id = $2`,
      [event.source, event.id, workspaces.length, workspaces, Math.round(durationMs)],
    );
  }
}
