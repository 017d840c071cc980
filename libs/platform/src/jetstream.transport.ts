import type { INestApplication } from "@nestjs/common";
import { type ConsumerBinding, JetStreamServer, NATS_CONNECTION, type TransportObserver } from "@hookstream/jetstream";
import { MetricsService } from "./metrics.service";

/**
 * createService's `transport` for a service that consumes `bindings`: JetStream on the app's NATS connection, counted
 * by its metrics; `observe` may wrap that observer to watch the same outcomes.
 */
export function jetStreamTransport(options: {
  bindings: ConsumerBinding[];
  shutdownGraceMs: number;
  observe?: (app: INestApplication, metrics: TransportObserver) => TransportObserver;
}) {
  return (app: INestApplication) => {
    const metrics = app.get(MetricsService).transportObserver();
    return new JetStreamServer({
      connection: app.get(NATS_CONNECTION),
      bindings: options.bindings,
      shutdownGraceMs: options.shutdownGraceMs,
      observer: options.observe?.(app, metrics) ?? metrics,
    });
  };
}
