import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { MicroBatcher } from "@hookstream/collections";
import type { WebhookEvent } from "@hookstream/contracts";

interface Claim {
  event: WebhookEvent;
  seq: number;
  claimed?: boolean;
}

interface Decision {
  event: WebhookEvent;
  workspaces: string[];
  durationMs: number;
}

/** Events routed at once share one statement: under load, a round trip per batch instead of two per event. */
const BATCH = { maxItems: 256, maxDelayMs: 2 };

const keyOf = (e: WebhookEvent) => `${e.source}\u0000${e.id}`;

/**
 * routed_events: the routing decision per event, and the guard against routing an event twice. A redelivery of
 * the same stream message may route again (its jobs are deduplicated by Nats-Msg-Id); the same event id stored
 * again later (a provider's replay after the stream's duplicate window) may not.
 */
@Injectable()
export class RoutingLog {
  private readonly claims = new MicroBatcher<Claim>((c) => this.claimAll(c), BATCH);
  private readonly decisions = new MicroBatcher<Decision>((d) => this.recordAll(d), BATCH);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** False when this event id was already routed from another stream message. */
  async claim(event: WebhookEvent, seq: number): Promise<boolean> {
    const claim: Claim = { event, seq };
    await this.claims.add(claim);
    return claim.claimed === true;
  }

  record(event: WebhookEvent, workspaces: string[], durationMs: number): Promise<void> {
    return this.decisions.add({ event, workspaces, durationMs });
  }

  private async claimAll(claims: Claim[]): Promise<void> {
    // One row per event id (an upsert may not touch a row twice): the first stream message of a batch stands for
    // the others, which are claimed only if they are that same message.
    const first = new Map<string, Claim>();
    for (const c of claims) if (!first.has(keyOf(c.event))) first.set(keyOf(c.event), c);
    const rows = [...first.values()];
    const claimed: { source: string; event_id: string }[] = await this.db.query(
      `INSERT INTO routed_events (source, event_id, event_type, resource, stream_seq, received_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[])
        -- In key order: two routers claiming the same events (a redelivery) lock them in one order, never a deadlock.
        ORDER BY 1, 2
       ON CONFLICT (source, event_id) DO UPDATE SET routed_at = now() WHERE routed_events.stream_seq = EXCLUDED.stream_seq
       RETURNING source, event_id`,
      [rows.map((c) => c.event.source), rows.map((c) => c.event.id), rows.map((c) => c.event.type), rows.map((c) => c.event.resource), rows.map((c) => c.seq), rows.map((c) => c.event.receivedAt)],
    );
    const won = new Set(claimed.map((r) => `${r.source}\u0000${r.event_id}`));
    for (const c of claims) c.claimed = won.has(keyOf(c.event)) && first.get(keyOf(c.event))!.seq === c.seq;
  }

  private async recordAll(decisions: Decision[]): Promise<void> {
    // unnest of parameters, not jsonb_to_recordset: the planner then knows the batch's real size and probes the
    // primary key per event. With a record set it guessed 100 rows and scanned the whole table for every batch.
    await this.db.query(
      `UPDATE routed_events r SET job_count = d.job_count, workspaces = ARRAY(SELECT jsonb_array_elements_text(d.workspaces)),
              duration_ms = d.duration_ms, routed_at = now()
         FROM unnest($1::text[], $2::text[], $3::int[], $4::jsonb[], $5::int[]) AS d(source, event_id, job_count, workspaces, duration_ms)
        WHERE r.source = d.source AND r.event_id = d.event_id`,
      [
        decisions.map((d) => d.event.source),
        decisions.map((d) => d.event.id),
        decisions.map((d) => d.workspaces.length),
        decisions.map((d) => JSON.stringify(d.workspaces)),
        decisions.map((d) => Math.round(d.durationMs)),
      ],
    );
  }
}
