import { type DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER } from "@nestjs/core";
import { TypeOrmModule } from "@nestjs/typeorm";
import { DatabaseModule, Subscription } from "@hookstream/database";
import { NatsModule } from "@hookstream/jetstream";
import { ADMIN_TOKENS, HealthController, JsonErrorFilter, natsAndDatabaseReadiness, ObservabilityModule } from "@hookstream/platform";
import { ROUTER_CONFIG, type RouterConfig } from "./config";
import { RoutingHandler } from "./routing.handler";
import { RoutingLog } from "./routing.log";
import { SubscriptionStore } from "./subscription.store";
import { SubscriptionsController } from "./subscriptions.controller";

@Module({})
export class RouterModule {
  static forRoot(config: RouterConfig): DynamicModule {
    return {
      module: RouterModule,
      imports: [
        ObservabilityModule.forRoot("router"),
        NatsModule.forRoot({ url: config.natsUrl, name: "hookstream-router" }),
        DatabaseModule.forRoot(config.databaseUrl),
        TypeOrmModule.forFeature([Subscription]),
      ],
      controllers: [RoutingHandler, SubscriptionsController, HealthController],
      providers: [
        { provide: ROUTER_CONFIG, useValue: config },
        { provide: ADMIN_TOKENS, useValue: config.adminTokens },
        { provide: APP_FILTER, useClass: JsonErrorFilter },
        natsAndDatabaseReadiness,
        SubscriptionStore,
        RoutingLog,
      ],
    };
  }
}
