import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { categorize } from "@hookstream/contracts";
import type { TransportObserver } from "@hookstream/jetstream";

/**
 * One registry per service instance (several run in one test process), holding the counters every service
 * shares. Labels are bounded sets (source, outcome, category, reason, stream): never ids.
 */
export class MetricsService {
  readonly registry = new Registry();

  readonly received: Counter<"source">;
  readonly verified: Counter<"source">;
  readonly rejected: Counter<"source" | "reason">;
  readonly published: Counter<"stream">;
  readonly processed: Counter<"stream" | "outcome">;
  readonly failed: Counter<"stream" | "category">;
  readonly deadLettered: Counter<"category">;
  readonly duration: Histogram<"operation" | "outcome">;

  constructor(readonly service: string) {
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
      name: "hookstream_operation_duration_seconds",
      help: "Duration of an operation (request, routing, job, dead-lettering)",
      labelNames: ["operation", "outcome"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  /** Counts what the JetStream transport did with each message. */
  transportObserver(): TransportObserver {
    return {
      onOutcome: (binding, outcome, error) => {
        this.processed.inc({ stream: binding.stream, outcome });
        if (error !== undefined) this.failed.inc({ stream: binding.stream, category: categorize(error).category });
      },
    };
  }

  /** Measures `fn` in the duration histogram, labelled with its outcome. */
  async time<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const end = this.duration.startTimer({ operation });
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
