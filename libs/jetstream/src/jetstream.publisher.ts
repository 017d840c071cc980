import { Inject, Injectable } from "@nestjs/common";
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from "@nats-io/nats-core";
import type { PubAck } from "@nats-io/jetstream";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { HEADERS, HookstreamError } from "@hookstream/contracts";
import { injectTraceContext } from "./trace.propagation";
import { NATS_CONNECTION } from "./nats.tokens";
import { PubAcks } from "./pub-acks";

export interface OutgoingMessage {
  subject: string;
  /** Serialized as JSON, unless it is already encoded (bytes are sent as they are). */
  data: unknown;
  /** Becomes `Nats-Msg-Id`: JetStream drops a repeat inside the stream's duplicate window. */
  msgId: string;
  headers?: Record<string, string>;
}

export interface PublishOptions {
  timeoutMs?: number;
  /**
   * False: no producer span; the message still carries the active trace context. For records a consumer span
   * already covers (a job's lifecycle events), where a span each would add nothing a trace needs.
   */
  span?: boolean;
}

const tracer = trace.getTracer("hookstream-jetstream");
const encoder = new TextEncoder();
const encoded = (data: unknown): Uint8Array => (data instanceof Uint8Array ? data : encoder.encode(JSON.stringify(data)));
/** PubAcks awaited at once in publishAll: pipelined, but bounded so a 10,000-job fan-out cannot flood the client. */
export const PUBLISH_WINDOW = 256;

/** Publishes to JetStream with `Nats-Msg-Id` and W3C trace context, resolving only on the stream's PubAck. */
@Injectable()
export class JetStreamPublisher {
  private readonly pubAcks: PubAcks;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {
    this.pubAcks = new PubAcks(nc);
  }

  publish(message: OutgoingMessage, options: PublishOptions = {}): Promise<PubAck> {
    if (options.span === false) return this.send(message, options);
    return this.inProducerSpan(`send ${message.subject}`, message.subject, 1, () => this.send(message, options));
  }

  /** Publishes many messages under one producer span, at most PUBLISH_WINDOW PubAcks outstanding. */
  publishAll(spanSubject: string, messages: OutgoingMessage[], options: PublishOptions = {}): Promise<PubAck[]> {
    return this.inProducerSpan(`send ${spanSubject}`, spanSubject, messages.length, async () => {
      // A sliding window: each lane sends its next message as soon as its last PubAck came; one failure stops all.
      const acks: PubAck[] = new Array<PubAck>(messages.length);
      let next = 0;
      const lane = async () => {
        while (next < messages.length) {
          const i = next++;
          acks[i] = await this.send(messages[i]!, options).catch((e: unknown) => {
            next = messages.length;
            throw e;
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(PUBLISH_WINDOW, messages.length) }, lane));
      return acks;
    });
  }

  /**
   * Publishes without asking for the stream's PubAck (a plain NATS publish the stream captures, deduplicated by
   * `Nats-Msg-Id` all the same): no reply to wait for or process, but nobody hears if the stream refused it. Only
   * for records whose loss costs nothing.
   */
  publishUnacknowledged(message: OutgoingMessage): void {
    this.nc.publish(message.subject, encoded(message.data), { headers: this.headersOf(message) });
  }

  private headersOf(message: OutgoingMessage): MsgHdrs {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(message.headers ?? {})) h.set(k, v);
    h.set(HEADERS.msgId, message.msgId);
    injectTraceContext(h);
    return h;
  }

  private async send(message: OutgoingMessage, options: PublishOptions): Promise<PubAck> {
    try {
      return await this.pubAcks.publish(message.subject, encoded(message.data), this.headersOf(message), options.timeoutMs ?? 5000);
    } catch (e) {
      const err = e as Error;
      const timedOut = /timeout|timed out/i.test(err.message) || err.name === "TimeoutError";
      throw new HookstreamError(timedOut ? "timeout" : "external_api", `JetStream publish to ${message.subject}: ${err.message}`, { cause: e });
    }
  }

  private inProducerSpan<T>(name: string, subject: string, count: number, fn: () => Promise<T>): Promise<T> {
    return tracer.startActiveSpan(
      name,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          "messaging.system": "nats",
          "messaging.operation.type": "send",
          "messaging.destination.name": subject,
          ...(count > 1 ? { "messaging.batch.message_count": count } : {}),
        },
      },
      context.active(),
      async (span) => {
        try {
          return await fn();
        } catch (e) {
          span.recordException(e as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
          throw e;
        } finally {
          span.end();
        }
      },
    );
  }
}
