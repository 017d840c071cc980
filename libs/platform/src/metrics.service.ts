import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type RegistryContentType } from "prom-client";
import { trace } from "@opentelemetry/api";
import type { ConsumerInfo } from "@nats-io/jetstream";
import { categorize } from "@hookstream/contracts";
import type { ConsumerBinding, TransportObserver } from "@hookstream/jetstream";

/**
 * One registry per service instance (several run in one test process), holding the counters every service
 * shares. Labels are bounded sets (source, outcome, category, reason, stream): never ids.
 */
export class MetricsService {
  readonly registry = new Registry<RegistryContentType>();
  private scrapes: Promise<unknown> = Promise.resolve();

  readonly received: Counter<"source">;
  readonly verified: Counter<"source">;
  readonly rejected: Counter<"source" | "reason">;
  readonly published: Counter<"stream">;
  readonly processed: Counter<"stream" | "outcome">;
  readonly failed: Counter<"stream" | "category">;
  readonly deadLettered: Counter<"category">;
  readonly duration: Histogram<"operation" | "outcome">;

  constructor(readonly service: string) {
    // OpenMetrics from the start (exemplars need it); render() switches the format per scrape.
    this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: "hookstream_" });
    const registers = [this.registry];
    this.received = new Counter({ name: "hookstream_webhooks_received_total", help: "Webhook requests received", labelNames: ["source"], registers });
    this.verified = new Counter({ name: "hookstream_webhooks_verified_total", help: "Webhooks whose signature verified", labelNames: ["source"], registers });
    this.rejected = new Counter({ name: "hookstream_webhooks_rejected_total", help: "Webhooks refused, by reason", labelNames: ["source", "reason"], registers });
    this.published = new Counter({ name: "hookstream_messages_published_total", help: "Messages acknowledged by JetStream", labelNames: ["stream"], registers });
    this.processed = new Counter({ name: "hookstream_messages_processed_total", help: "Messages consumed, by outcome (ack, nak, term)", labelNames: ["stream", "outcome"], registers });
    this.failed = new Counter({ name: "hookstream_messages_failed_total", help: "Failed processing attempts, by error category", labelNames: ["stream", "category"], registers });
    this.deadLettered = new Counter({ name: "hookstream_dead_letters_total", help: "Dead-letter entries created", labelNames: ["category"], registers });
    this.duration = new Histogram({
      // A slow bucket links to a trace in Tempo (OpenMetrics exemplars).
      enableExemplars: true,
      name: "hookstream_operation_duration_seconds",
      help: "Duration of an operation (request, routing, job, dead-lettering)",
      labelNames: ["operation", "outcome"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  /** Counts what the JetStream transport did with each message, and exports its consumers' state. */
  transportObserver(): TransportObserver {
    return {
      onOutcome: (binding, outcome, error) => {
        this.processed.inc({ stream: binding.stream, outcome });
        if (error !== undefined) this.failed.inc({ stream: binding.stream, category: categorize(error).category });
      },
      onListen: (bindings, info) => this.watchConsumers(bindings, info),
    };
  }

  /**
   * The text for a scrape: OpenMetrics (with exemplars) when the scraper asks for it, Prometheus text otherwise.
   * Scrapes are serialized because the registry's format is switched per scrape.
   */
  render(accept: string | undefined): Promise<{ contentType: string; body: string }> {
    const openMetrics = /application\/openmetrics-text/.test(accept ?? "");
    const next = this.scrapes.then(async () => {
      this.registry.setContentType(openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE);
      // An OpenMetrics rendering strips `_total` from counter names for good (prom-client renames the metric):
      // every counter here is named with it, so a Prometheus scrape after one puts it back.
      if (!openMetrics) {
        for (const m of this.registry.getMetricsAsArray() as unknown as { type: string; name: string }[]) {
          if (m.type === "counter" && !m.name.endsWith("_total")) m.name = `${m.name}_total`;
        }
      }
      return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    });
    this.scrapes = next.catch(() => undefined);
    return next;
  }

  /** Consumer pending, ack-pending and redelivered counts, read from JetStream at scrape time. */
  private watchConsumers(bindings: ConsumerBinding[], info: (b: ConsumerBinding) => Promise<ConsumerInfo>): void {
    const registers = [this.registry];
    const labelNames = ["stream", "consumer"] as const;
    const fields = {
      hookstream_consumer_pending_messages: ["Messages not yet delivered to the consumer", (i: ConsumerInfo) => i.num_pending],
      hookstream_consumer_ack_pending_messages: ["Messages delivered and not yet acknowledged", (i: ConsumerInfo) => i.num_ack_pending],
      hookstream_consumer_redelivered_messages: ["Messages delivered more than once and not yet acknowledged", (i: ConsumerInfo) => i.num_redelivered],
    } as const;
    let latest: Promise<Map<ConsumerBinding, ConsumerInfo>> | undefined;
    // One round of consumer-info requests per scrape, shared by the three gauges.
    const read = () =>
      (latest ??= Promise.all(bindings.map(async (b) => [b, await info(b)] as const))
        .then((entries) => new Map(entries))
        .finally(() => setTimeout(() => (latest = undefined), 1000).unref()));
    for (const [name, [help, pick]] of Object.entries(fields)) {
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          const infos = await read().catch(() => new Map<ConsumerBinding, ConsumerInfo>());
          for (const [b, i] of infos) this.set({ stream: b.stream, consumer: b.consumer }, pick(i));
        },
      });
    }
  }

  /** Measures `fn` in the duration histogram, labelled with its outcome. */
  async time<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const traceId = trace.getActiveSpan()?.spanContext().traceId;
    // prom-client types exemplar labels like metric labels; the trace id is the exemplar's own label.
    const exemplar = traceId ? ({ traceID: traceId } as unknown as Record<"operation", string>) : undefined;
    const end = this.duration.startTimer({ operation }, exemplar);
    try {
      const value = await fn();
      end({ outcome: "ok" });
      return value;
    } catch (error) {
      end({ outcome: "error" });
      throw error;
    }
  }
}
