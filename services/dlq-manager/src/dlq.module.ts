import { type DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER } from "@nestjs/core";
import { DatabaseModule } from "@hookstream/database";
import { NatsModule } from "@hookstream/jetstream";
import { ADMIN_TOKENS, HealthController, JsonErrorFilter, natsAndDatabaseReadiness, ObservabilityModule } from "@hookstream/platform";
import { AdvisoryHandler } from "./advisory.handler";
import { AttemptHistory } from "./attempt.history";
import type { DlqConfig } from "./config";
import { DeadLetterStore } from "./dead-letter.store";
import { DlqController } from "./dlq.controller";

@Module({})
export class DlqModule {
  static forRoot(config: DlqConfig): DynamicModule {
    return {
      module: DlqModule,
      imports: [
        ObservabilityModule.forRoot("dlq-manager"),
        NatsModule.forRoot({ url: config.natsUrl, name: "hookstream-dlq-manager" }),
        DatabaseModule.forRoot(config.databaseUrl),
      ],
      controllers: [AdvisoryHandler, DlqController, HealthController],
      providers: [
        { provide: ADMIN_TOKENS, useValue: config.adminTokens },
        { provide: APP_FILTER, useClass: JsonErrorFilter },
        natsAndDatabaseReadiness,
        AttemptHistory,
        DeadLetterStore,
      ],
    };
  }
}
