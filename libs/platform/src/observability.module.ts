import { DynamicModule, Global, Module } from "@nestjs/common";
import { ConnectionMetrics } from "./connection.metrics";
import { Lifecycle } from "./health.controller";
import { MetricsService } from "./metrics.service";

/**
 * Per-service metrics registry (with NATS and PostgreSQL pool health) and shutdown state; each service lists
 * HealthController and its READINESS_CHECKS.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: ObservabilityModule,
      providers: [{ provide: MetricsService, useValue: new MetricsService(service) }, Lifecycle, ConnectionMetrics],
      exports: [MetricsService, Lifecycle],
    };
  }
}
