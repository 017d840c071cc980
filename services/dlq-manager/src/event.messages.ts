import { Inject, Injectable } from "@nestjs/common";
import type { JetStreamManager, StoredMsg } from "@nats-io/jetstream";
import { HEADERS, HookstreamError, STREAMS, WebhookEvent } from "@hookstream/contracts";
import { JETSTREAM_MANAGER } from "@hookstream/jetstream";

export interface StoredEvent {
  event: WebhookEvent;
  traceparent: string | undefined;
}

/** Reads one verified webhook from WEBHOOKS by sequence: the event log is where its headers and payload live. */
@Injectable()
export class EventMessages {
  constructor(@Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager) {}

  /** Null when the sequence holds no event (aged out, or never one). */
  async get(seq: number): Promise<StoredEvent | null> {
    if (!Number.isSafeInteger(seq) || seq < 1) return null;
    let stored: StoredMsg | null;
    try {
      stored = await this.jsm.streams.getMessage(STREAMS.webhooks, { seq });
    } catch (e) {
      if (/no message found/i.test((e as Error).message)) return null;
      throw new HookstreamError("external_api", `reading ${STREAMS.webhooks} #${seq}: ${(e as Error).message}`, { cause: e });
    }
    if (!stored) return null;
    const parsed = WebhookEvent.safeParse(stored.json());
    return parsed.success ? { event: parsed.data, traceparent: stored.header?.get(HEADERS.traceparent) || undefined } : null;
  }
}
