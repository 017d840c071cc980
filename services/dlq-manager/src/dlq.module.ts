import { type DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER } from "@nestjs/core";
import { DatabaseModule } from "@hookstream/database";
import { NatsModule } from "@hookstream/jetstream";
import { ADMIN_TOKENS, HealthController, JsonErrorFilter, natsAndDatabaseReadiness, ObservabilityModule } from "@hookstream/platform";
import { SubscriptionsModule } from "@hookstream/subscriptions";
import { AdvisoryHandler } from "./advisory.handler";
import { AttemptHistory } from "./attempt.history";
import { AuditLog } from "./audit.log";
import { BulkActions } from "./bulk.actions";
import { DLQ_CONFIG, type DlqConfig } from "./config";
import { DeadLetterStore } from "./dead-letter.store";
import { DlqController } from "./dlq.controller";
import { DlqMetrics } from "./dlq.metrics";
import { EntryReplayer } from "./entry.replayer";
import { EventReplays } from "./event.replays";
import { Leadership } from "./leadership";
import { Operations } from "./operations";
import { OutcomeHandler } from "./outcome.handler";
import { RecoveryRunner } from "./recovery.runner";
import { ReplayController } from "./replay.controller";
import { RetentionMetrics } from "./retention.metrics";
import { RetentionRunner } from "./retention.runner";

@Module({})
export class DlqModule {
  static forRoot(config: DlqConfig): DynamicModule {
    return {
      module: DlqModule,
      imports: [
        ObservabilityModule.forRoot("dlq-manager"),
        NatsModule.forRoot({ ...config.nats, name: "hookstream-dlq-manager" }),
        DatabaseModule.forRoot(config.databaseUrl),
        // The operator console is served from this origin: it manages subscriptions here too.
        SubscriptionsModule.forRoot({ keyring: config.keyring, admin: config.adminTokens }),
      ],
      controllers: [AdvisoryHandler, OutcomeHandler, DlqController, ReplayController, HealthController],
      providers: [
        { provide: DLQ_CONFIG, useValue: config },
        { provide: ADMIN_TOKENS, useValue: config.adminTokens },
        { provide: APP_FILTER, useClass: JsonErrorFilter },
        natsAndDatabaseReadiness,
        AttemptHistory,
        AuditLog,
        BulkActions,
        DeadLetterStore,
        DlqMetrics,
        EntryReplayer,
        EventReplays,
        Leadership,
        Operations,
        RecoveryRunner,
        RetentionMetrics,
        RetentionRunner,
      ],
    };
  }
}
