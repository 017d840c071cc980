import { type DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER } from "@nestjs/core";
import { DatabaseModule } from "@hookstream/database";
import { EventStore, NatsModule } from "@hookstream/jetstream";
import { HealthController, JsonErrorFilter, natsAndDatabaseReadiness, ObservabilityModule } from "@hookstream/platform";
import { ActivityRecorder } from "./activity.recorder";
import { WORKER_CONFIG, type WorkerConfig } from "./config";
import { DestinationClient } from "./destination.client";
import { DestinationLookup } from "./destination.lookup";
import { JobEventsRecorder } from "./job-events.recorder";
import { JobHandler } from "./job.handler";

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ObservabilityModule.forRoot("workspace-worker"),
        NatsModule.forRoot({ ...config.nats, name: "hookstream-workspace-worker" }),
        DatabaseModule.forRoot(config.databaseUrl),
      ],
      controllers: [JobHandler, HealthController],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: JsonErrorFilter },
        natsAndDatabaseReadiness,
        EventStore,
        DestinationLookup,
        ActivityRecorder,
        DestinationClient,
        JobEventsRecorder,
      ],
    };
  }
}
