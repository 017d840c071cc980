import { Inject, Injectable } from "@nestjs/common";
import type { JetStreamManager } from "@nats-io/jetstream";
import { HookstreamError, STREAMS, WebhookEvent } from "@hookstream/contracts";
import { BoundedCache } from "@hookstream/collections";
import { JETSTREAM_MANAGER } from "./nats.tokens";

/** Events a fan-out just published: its jobs arrive together, so a few hundred entries serve them all. */
const CACHE_ENTRIES = 256;
const CACHE_AGE_MS = 60_000;

/** Reads events from WEBHOOKS by sequence (jobs and replays point at their event instead of copying it). */
@Injectable()
export class EventStore {
  private readonly cache = new BoundedCache<number, WebhookEvent>(CACHE_ENTRIES, CACHE_AGE_MS);

  constructor(@Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager) {}

  async get(seq: number, expectedId: string): Promise<WebhookEvent> {
    const cached = this.cache.get(seq);
    if (cached) return cached;
    const stored = await this.jsm.streams.getMessage(STREAMS.webhooks, { seq }).catch((e: Error) => {
      throw new HookstreamError("external_api", `reading ${STREAMS.webhooks} #${seq}: ${e.message}`, { cause: e });
    });
    if (!stored) throw new HookstreamError("validation", `event ${expectedId} (#${seq}) is no longer in ${STREAMS.webhooks}`);
    const event = WebhookEvent.parse(stored.json());
    if (event.id !== expectedId) throw new HookstreamError("validation", `${STREAMS.webhooks} #${seq} is ${event.id}, not ${expectedId}`);
    this.cache.set(seq, event);
    return event;
  }
}
