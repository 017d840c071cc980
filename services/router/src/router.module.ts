import { type DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER } from "@nestjs/core";
import { TypeOrmModule } from "@nestjs/typeorm";
import { DatabaseModule, Subscription } from "@hookstream/database";
import { EventStore, NatsModule } from "@hookstream/jetstream";
import { ADMIN_TOKENS, HealthController, JsonErrorFilter, natsAndDatabaseReadiness, ObservabilityModule } from "@hookstream/platform";
import { ROUTER_CONFIG, type RouterConfig } from "./config";
import { EventsController } from "./events.controller";
import { FanoutPublisher } from "./fanout.publisher";
import { ReplayHandler } from "./replay.handler";
import { RoutingHandler } from "./routing.handler";
import { RoutingLog } from "./routing.log";
import { SubscriptionChanges } from "./subscription.changes";
import { SubscriptionStore } from "./subscription.store";
import { SubscriptionsController } from "./subscriptions.controller";

@Module({})
export class RouterModule {
  static forRoot(config: RouterConfig): DynamicModule {
    return {
      module: RouterModule,
      imports: [
        ObservabilityModule.forRoot("router"),
        NatsModule.forRoot({ ...config.nats, name: "hookstream-router" }),
        DatabaseModule.forRoot(config.databaseUrl),
        TypeOrmModule.forFeature([Subscription]),
      ],
      controllers: [RoutingHandler, ReplayHandler, SubscriptionsController, EventsController, HealthController],
      providers: [
        { provide: ROUTER_CONFIG, useValue: config },
        { provide: ADMIN_TOKENS, useValue: config.adminTokens },
        { provide: APP_FILTER, useClass: JsonErrorFilter },
        natsAndDatabaseReadiness,
        SubscriptionStore,
        SubscriptionChanges,
        FanoutPublisher,
        RoutingLog,
        EventStore,
      ],
    };
  }
}
