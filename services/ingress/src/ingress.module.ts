import { type DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER } from "@nestjs/core";
import { NatsModule } from "@hookstream/jetstream";
import { HealthController, JsonErrorFilter, natsReadiness, ObservabilityModule } from "@hookstream/platform";
import { INGRESS_CONFIG, type IngressConfig } from "./config";
import { IngestService } from "./ingest.service";
import { IngressMetrics } from "./ingress.metrics";
import { SOURCES, sourceOf } from "./providers";
import { WebhookHttp } from "./webhook.http";

/**
 * Ingress needs only NATS: it keeps accepting webhooks while PostgreSQL is away. Its public port serves the webhook
 * routes (WebhookHttp), health and metrics, nothing else.
 */
@Module({})
export class IngressModule {
  static forRoot(config: IngressConfig): DynamicModule {
    return {
      module: IngressModule,
      imports: [ObservabilityModule.forRoot("ingress"), NatsModule.forRoot({ ...config.nats, name: "hookstream-ingress" })],
      controllers: [HealthController],
      providers: [
        { provide: INGRESS_CONFIG, useValue: config },
        { provide: SOURCES, useValue: config.sources.map(sourceOf) },
        { provide: APP_FILTER, useClass: JsonErrorFilter },
        natsReadiness,
        IngressMetrics,
        IngestService,
        WebhookHttp,
      ],
    };
  }
}
