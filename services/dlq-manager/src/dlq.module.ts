import { type DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER } from "@nestjs/core";
import { DatabaseModule } from "@hookstream/database";
import { NatsModule } from "@hookstream/jetstream";
import { ADMIN_TOKENS, HealthController, JsonErrorFilter, natsAndDatabaseReadiness, ObservabilityModule } from "@hookstream/platform";
import { SubscriptionsModule } from "@hookstream/subscriptions";
import { AdvisoryHandler } from "./advisory.handler";
import { AttemptHistory } from "./attempt.history";
import { AuditLog } from "./audit.log";
import { BreakerStateReader } from "./breaker-state.reader";
import { BulkActions } from "./bulk.actions";
import { DLQ_CONFIG, type DlqConfig } from "./config";
import { ConsoleController } from "./console.controller";
import { DeadLetterStore } from "./dead-letter.store";
import { DlqController } from "./dlq.controller";
import { DlqMetrics } from "./dlq.metrics";
import { EntryReplayer } from "./entry.replayer";
import { EventMessages } from "./event.messages";
import { EventReplays } from "./event.replays";
import { EventSearch } from "./event.search";
import { EventsController } from "./events.controller";
import { Leadership } from "./leadership";
import { Operations } from "./operations";
import { OutcomeHandler } from "./outcome.handler";
import { OverviewController } from "./overview.controller";
import { OverviewFigures } from "./overview.figures";
import { JobProjection } from "./projection/job-projection";
import { JobProjectionStore } from "./projection/job-projection.store";
import { JobProjector } from "./projection/job-projector";
import { RecoveryRunner } from "./recovery.runner";
import { ReplayController } from "./replay.controller";
import { RetentionMetrics } from "./retention.metrics";
import { RetentionRunner } from "./retention.runner";
import { SessionController } from "./session.controller";

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
      controllers: [
        AdvisoryHandler,
        OutcomeHandler,
        JobProjector,
        DlqController,
        ReplayController,
        EventsController,
        OverviewController,
        SessionController,
        ConsoleController,
        HealthController,
      ],
      providers: [
        { provide: DLQ_CONFIG, useValue: config },
        { provide: ADMIN_TOKENS, useValue: config.adminTokens },
        { provide: APP_FILTER, useClass: JsonErrorFilter },
        natsAndDatabaseReadiness,
        JobProjection,
        JobProjectionStore,
        AttemptHistory,
        AuditLog,
        BreakerStateReader,
        BulkActions,
        DeadLetterStore,
        DlqMetrics,
        EntryReplayer,
        EventMessages,
        EventReplays,
        EventSearch,
        Leadership,
        Operations,
        OverviewFigures,
        RecoveryRunner,
        RetentionMetrics,
        RetentionRunner,
      ],
    };
  }
}
