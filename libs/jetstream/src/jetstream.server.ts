import { Logger } from "@nestjs/common";
import { type CustomTransportStrategy, type MessageHandler, Server } from "@nestjs/microservices";
import { type Consumer, type ConsumerInfo, type ConsumerMessages, jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { categorize, HEADERS } from "@hookstream/contracts";
import { isObservable, lastValueFrom } from "rxjs";
import { JetStreamContext } from "./jetstream.context";
import { InFlight } from "./in-flight";
import { decideFailure, type DeliveryState } from "./retry.policy";
import { extractTraceContext } from "./trace.propagation";

export interface ConsumerBinding {
  stream: string;
  /** Durable consumer name; also the pattern of the `@JetStreamConsumer` handler it feeds. */
  consumer: string;
  /** Messages handled at once by this process. */
  concurrency: number;
  /**
   * False: no consumer span per message (default true). For bookkeeping consumers (the job projector) whose
   * messages are each a few microseconds of work, where the span would be most of it.
   */
  traced?: boolean;
}

/** What the transport reports, so a service can count it without the transport knowing its metrics. */
export interface TransportObserver {
  onOutcome?(binding: ConsumerBinding, outcome: "ack" | "nak" | "term", error?: unknown): void;
  /** Called once with the bindings and a way to read their consumers' state (for gauges). */
  onListen?(bindings: ConsumerBinding[], info: (binding: ConsumerBinding) => Promise<ConsumerInfo>): void;
}

export interface JetStreamServerOptions {
  connection: NatsConnection;
  bindings: ConsumerBinding[];
  /** How long close() waits for handlers still running. */
  shutdownGraceMs: number;
  observer?: TransportObserver;
}

const tracer = trace.getTracer("hookstream-jetstream");
const decoder = new TextDecoder();
const FETCH_EXPIRES_MS = 1000;
const RETRY_SETUP_MS = 1000;

function parseBody(msg: JsMsg): unknown {
  const text = decoder.decode(msg.data);
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: the handler's schema rejects it as a validation error.
    return text;
  }
}

interface Running {
  binding: ConsumerBinding;
  /** The bound handler, found once: Nest's look-up by pattern costs more than a small handler. */
  handler: MessageHandler;
  inFlight: InFlight;
  /** Messages being handled, to give back if shutdown's grace runs out. */
  handling: Set<JsMsg>;
  batch?: ConsumerMessages;
  loop?: Promise<void>;
}

/**
 * A NestJS transport over JetStream durable pull consumers. Each binding pulls only as many messages as it has
 * free slots, runs the bound handler in the message's trace context, sends `working()` while it runs, and turns
 * the outcome into ack, nak with a delay, or term (see retry.policy).
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger("JetStreamServer");
  private readonly running: Running[] = [];
  private stopping = false;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    for (const binding of this.options.bindings) {
      const handler = this.getHandlerByPattern(binding.consumer);
      if (!handler) {
        callback(new Error(`no @JetStreamConsumer("${binding.consumer}") handler is registered`));
        return;
      }
      const r: Running = { binding, handler, inFlight: new InFlight(binding.concurrency), handling: new Set() };
      r.loop = this.pullLoop(r);
      this.running.push(r);
    }
    const jsm = jetstreamManager(this.options.connection);
    this.options.observer?.onListen?.(this.options.bindings, async (b) => (await jsm).consumers.info(b.stream, b.consumer));
    callback();
  }

  /**
   * Stops pulling, lets running handlers finish within the grace period, and gives back (nak) what is still
   * running after it, so another replica takes it at once instead of after the ack deadline.
   */
  async close(): Promise<void> {
    this.stopping = true;
    for (const r of this.running) r.batch?.stop();
    await Promise.all(this.running.map((r) => r.loop));
    const drained = await Promise.all(this.running.map((r) => r.inFlight.drain(this.options.shutdownGraceMs)));
    if (!drained.includes(false)) return;
    const left = this.running.flatMap((r) => [...r.handling]);
    for (const msg of left) msg.nak();
    this.log.warn(`shutdown grace passed: ${left.length} messages still running were given back for redelivery`);
  }

  on(): never {
    throw new Error("JetStreamServer has no events to listen to");
  }

  unwrap<T>(): T {
    return this.options.connection as T;
  }

  private async pullLoop(r: Running): Promise<void> {
    const { binding } = r;
    let consumer: Consumer | undefined;
    let state: DeliveryState | undefined;
    let heartbeatMs = 1000;
    while (!this.stopping) {
      try {
        if (!consumer || !state) {
          consumer = await jetstream(this.options.connection).consumers.get(binding.stream, binding.consumer);
          const { config } = await consumer.info(true);
          const backoffMs = (config.backoff ?? []).map((ns) => ns / 1e6);
          state = { deliveryCount: 1, maxDeliver: config.max_deliver ?? -1, backoffMs };
          // The shortest ack deadline is the first backoff value (it replaces ack_wait), or ack_wait.
          heartbeatMs = Math.max(100, Math.min((config.ack_wait ?? 30e9) / 1e6, ...backoffMs) / 3);
          this.log.log(`consuming ${binding.stream} > ${binding.consumer} (concurrency ${binding.concurrency})`);
        }
        await r.inFlight.waitForSlot();
        if (this.stopping) break;
        r.batch = await consumer.fetch({ max_messages: r.inFlight.free, expires: FETCH_EXPIRES_MS });
        for await (const msg of r.batch) {
          if (this.stopping) {
            msg.nak();
            continue;
          }
          r.handling.add(msg);
          const work = this.handle(r, msg, { ...state, deliveryCount: msg.info.deliveryCount }, heartbeatMs).finally(() => r.handling.delete(msg));
          r.inFlight.track(work);
        }
      } catch (e) {
        if (this.stopping || this.options.connection.isClosed()) break;
        this.log.warn(`${binding.stream} > ${binding.consumer}: ${(e as Error).message}; retrying`);
        consumer = undefined;
        await new Promise((resolve) => setTimeout(resolve, RETRY_SETUP_MS));
      }
    }
  }

  private handle({ binding, handler }: Running, msg: JsMsg, state: DeliveryState, heartbeatMs: number): Promise<void> {
    if (binding.traced === false) return this.run(binding, handler, msg, state, heartbeatMs);
    const parent = extractTraceContext(msg.headers);
    const attributes = {
      "messaging.system": "nats",
      "messaging.operation.type": "process",
      "messaging.destination.name": msg.subject,
      "messaging.consumer.group.name": binding.consumer,
      "messaging.message.id": msg.headers?.get(HEADERS.msgId) ?? "",
      "messaging.nats.stream": binding.stream,
      "messaging.nats.stream_sequence": msg.seq,
      "messaging.nats.delivery_count": state.deliveryCount,
    };
    return tracer.startActiveSpan(`process ${binding.stream}`, { kind: SpanKind.CONSUMER, attributes }, parent, (span) =>
      this.run(binding, handler, msg, state, heartbeatMs, span).finally(() => span.end()),
    );
  }

  /** Runs the handler with `working()` heartbeats, then acks, naks or terms the message. */
  private async run(binding: ConsumerBinding, handler: MessageHandler, msg: JsMsg, state: DeliveryState, heartbeatMs: number, span?: Span): Promise<void> {
    const heartbeat = setInterval(() => msg.working(), heartbeatMs);
    try {
      const result = await handler(parseBody(msg), new JetStreamContext(msg));
      // Nest resolves the handler's promise into `result`; only an interceptor's Observable needs waiting for.
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      msg.ack();
      this.options.observer?.onOutcome?.(binding, "ack");
    } catch (error) {
      const decision = decideFailure(error, state);
      span?.recordException(error as Error);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: decision.action === "ack" ? "" : decision.reason });
      span?.setAttribute("hookstream.error_category", categorize(error).category);
      if (decision.action === "term") msg.term();
      else if (decision.action === "nak") msg.nak(decision.delayMs);
      this.log.debug(`${binding.consumer} seq ${msg.seq} delivery ${state.deliveryCount}: ${decision.action} (${decision.action === "ack" ? "" : decision.reason})`);
      this.options.observer?.onOutcome?.(binding, decision.action === "term" ? "term" : "nak", error);
    } finally {
      clearInterval(heartbeat);
    }
  }
}

