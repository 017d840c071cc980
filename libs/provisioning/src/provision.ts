import { jetstreamManager } from "@nats-io/jetstream";
import { dlqConsumer, dlqOutcomesConsumer, routerConsumer, routerReplaysConsumer, streamConfigs, workerConsumer } from "@hookstream/contracts";
import { migrate } from "@hookstream/database";
import { connectNats, provisionJetStream, type ProvisionReport } from "@hookstream/jetstream";
import type { ProvisionConfig } from "./config";

export interface ProvisionResult {
  serverVersion: string;
  jetstream: ProvisionReport;
  migrations: string[];
}

/** Streams, consumers and database schema, from the contracts; idempotent, so every install or upgrade runs it. */
export async function provision(config: ProvisionConfig): Promise<ProvisionResult> {
  const migrations = await migrate(config.databaseUrl);
  const nc = await connectNats({ url: config.natsUrl, name: "hookstream-provision" });
  try {
    const jsm = await jetstreamManager(nc);
    const jetstream = await provisionJetStream(jsm, streamConfigs(config.limits), [
      routerConsumer(config.routing),
      workerConsumer(config.jobs),
      dlqConsumer(),
      routerReplaysConsumer(config.routing),
      dlqOutcomesConsumer(),
    ]);
    return { serverVersion: nc.info?.version ?? "unknown", jetstream, migrations };
  } finally {
    await nc.close();
  }
}
