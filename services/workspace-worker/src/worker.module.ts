import { type DynamicModule, Logger, Module } from "@nestjs/common";
import { APP_FILTER, DiscoveryModule } from "@nestjs/core";
import { DatabaseModule } from "@hookstream/database";
import { EventStore, NatsModule } from "@hookstream/jetstream";
import { HealthController, JsonErrorFilter, natsAndDatabaseReadiness, ObservabilityModule } from "@hookstream/platform";
import { SubscriptionsModule } from "@hookstream/subscriptions";
import { BreakerStatePublisher } from "./breaker-state.publisher";
import { CircuitBreakers } from "./circuit-breaker";
import { WORKER_CONFIG, type WorkerConfig } from "./config";
import { DestinationClient } from "./destination.client";
import { WorkspaceFairness } from "./fairness";
import { JOB_HANDLERS } from "./handlers";
import { CacheBucketsDirectory } from "./handlers/cache-buckets.directory";
import { JobHandlerRegistry } from "./handlers/job-handler.registry";
import { JobEventsRecorder } from "./job-events.recorder";
import { JobHandler } from "./job.handler";
import { RetrySchedule } from "./retry.schedule";
import { StalenessGuard } from "./staleness.guard";
import { WorkerMetrics } from "./worker.metrics";

/** Workspaces and hosts remembered at most (idle ones go first), and how long an idle one is remembered. */
const MAX_TRACKED = 10_000;
const WORKSPACE_IDLE_MS = 10 * 60_000;
const HOST_IDLE_MS = 60 * 60_000;

const breakerLog = new Logger("CircuitBreaker");

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ObservabilityModule.forRoot("workspace-worker"),
        NatsModule.forRoot({ ...config.nats, name: "hookstream-workspace-worker" }),
        DatabaseModule.forRoot(config.databaseUrl),
        DiscoveryModule,
        SubscriptionsModule.forRoot({ keyring: config.keyring }),
      ],
      controllers: [JobHandler, HealthController],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: JsonErrorFilter },
        natsAndDatabaseReadiness,
        EventStore,
        DestinationClient,
        JobEventsRecorder,
        RetrySchedule,
        StalenessGuard,
        WorkerMetrics,
        JobHandlerRegistry,
        CacheBucketsDirectory,
        ...JOB_HANDLERS,
        { provide: WorkspaceFairness, useValue: new WorkspaceFairness({ limit: config.workspaceConcurrency, maxWorkspaces: MAX_TRACKED, idleMs: WORKSPACE_IDLE_MS }) },
        BreakerStatePublisher,
        {
          provide: CircuitBreakers,
          inject: [BreakerStatePublisher],
          useFactory: (states: BreakerStatePublisher) => {
            const breakers = new CircuitBreakers({
              ...config.breaker,
              // A probe still running after two delivery timeouts will never report: its worker stopped.
              probeTimeoutMs: 2 * config.deliveryTimeoutMs,
              maxHosts: MAX_TRACKED,
              idleMs: HOST_IDLE_MS,
              onTransition: (host, to) => {
                breakerLog.log(`${host}: ${to.replace("_", "-")}`);
                states.changed(host, to);
              },
            });
            states.track(breakers);
            return breakers;
          },
        },
      ],
    };
  }
}
