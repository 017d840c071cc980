import { CONSUMERS, STREAMS } from "@hookstream/contracts";
import { createService, jetStreamTransport } from "@hookstream/platform";
import type { WorkerConfig } from "./config";
import { WorkerModule } from "./worker.module";

export function createWorker(config: WorkerConfig) {
  return createService(WorkerModule.forRoot(config), {
    name: "workspace-worker",
    port: config.port,
    logLevel: config.logLevel,
    transport: jetStreamTransport({
      bindings: [{ stream: STREAMS.jobs, consumer: CONSUMERS.workspaceWorker, concurrency: config.concurrency }],
      shutdownGraceMs: config.shutdownGraceMs,
    }),
  });
}
