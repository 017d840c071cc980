import { type DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER } from "@nestjs/core";
import { NatsModule } from "@hookstream/jetstream";
import { HealthController, JsonErrorFilter, natsReadiness, ObservabilityModule } from "@hookstream/platform";
import { INGRESS_CONFIG, type IngressConfig } from "./config";
import { IngestService } from "./ingest.service";
import { WebhookController } from "./webhook.controller";

/** Ingress needs only NATS: it keeps accepting webhooks while PostgreSQL is away. */
@Module({})
export class IngressModule {
  static forRoot(config: IngressConfig): DynamicModule {
    return {
      module: IngressModule,
      imports: [ObservabilityModule.forRoot("ingress"), NatsModule.forRoot({ url: config.natsUrl, name: "hookstream-ingress" })],
      controllers: [WebhookController, HealthController],
      providers: [
        { provide: INGRESS_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: JsonErrorFilter },
        natsReadiness,
        IngestService,
      ],
    };
  }
}
