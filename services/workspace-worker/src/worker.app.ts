import { CONSUMERS, STREAMS } from "@hookstream/contracts";
import { JetStreamServer, NATS_CONNECTION } from "@hookstream/jetstream";
import { createService, MetricsService } from "@hookstream/platform";
import type { WorkerConfig } from "./config";
import { WorkerModule } from "./worker.module";

export function createWorker(config: WorkerConfig) {
  return createService(WorkerModule.forRoot(config), {
    name: "workspace-worker",
    port: config.port,
    logLevel: config.logLevel,
    transport: (app) =>
      new JetStreamServer({
        connection: app.get(NATS_CONNECTION),
        bindings: [{ stream: STREAMS.jobs, consumer: CONSUMERS.workspaceWorker, concurrency: config.concurrency }],
        shutdownGraceMs: config.shutdownGraceMs,
        observer: app.get(MetricsService).transportObserver(),
      }),
  });
}
