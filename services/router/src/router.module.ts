import { type DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER } from "@nestjs/core";
import { DatabaseModule } from "@hookstream/database";
import { EventStore, NatsModule } from "@hookstream/jetstream";
import { ADMIN_TOKENS, HealthController, JsonErrorFilter, natsAndDatabaseReadiness, ObservabilityModule } from "@hookstream/platform";
import { SubscriptionsModule } from "@hookstream/subscriptions";
import { ROUTER_CONFIG, type RouterConfig } from "./config";
import { EventsController } from "./events.controller";
import { FanoutPublisher } from "./fanout.publisher";
import { ReplayHandler } from "./replay.handler";
import { RoutingHandler } from "./routing.handler";
import { RoutingLog } from "./routing.log";
import { SubscriptionChanges } from "./subscription.changes";

@Module({})
export class RouterModule {
  static forRoot(config: RouterConfig): DynamicModule {
    return {
      module: RouterModule,
      imports: [
        ObservabilityModule.forRoot("router"),
        NatsModule.forRoot({ ...config.nats, name: "hookstream-router" }),
        DatabaseModule.forRoot(config.databaseUrl),
        SubscriptionsModule.forRoot({ keyring: config.keyring, admin: config.adminTokens }),
      ],
      controllers: [RoutingHandler, ReplayHandler, EventsController, HealthController],
      providers: [
        { provide: ROUTER_CONFIG, useValue: config },
        { provide: ADMIN_TOKENS, useValue: config.adminTokens },
        { provide: APP_FILTER, useClass: JsonErrorFilter },
        natsAndDatabaseReadiness,
        SubscriptionChanges,
        FanoutPublisher,
        RoutingLog,
        EventStore,
      ],
    };
  }
}
