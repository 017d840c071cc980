import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import {
  type BucketDefinition,
  bucketConfigs,
  type ConsumerSpec,
  dlqConsumer,
  dlqOutcomesConsumer,
  projectorAdvisoriesConsumer,
  projectorEventsConsumer,
  projectorJobsConsumer,
  routerConsumer,
  routerReplaysConsumer,
  type StreamDefinition,
  streamConfigs,
  workerConsumer,
} from "@hookstream/contracts";
import { migrate } from "@hookstream/database";
import { connectNats, provisionJetStream, type ProvisionReport } from "@hookstream/jetstream";
import type { ProvisionConfig } from "./config";

export interface ProvisionResult {
  /** Null when JetStream is managed elsewhere (NACK). */
  serverVersion: string | null;
  jetstream: ProvisionReport;
  migrations: string[];
}

/** Every stream and consumer, as this configuration wants them (also what the chart renders for NACK). */
export function jetstreamPlan(config: ProvisionConfig): { streams: StreamDefinition[]; consumers: ConsumerSpec[]; buckets: BucketDefinition[] } {
  return {
    streams: streamConfigs(config.limits),
    buckets: bucketConfigs(config.limits.WEBHOOKS.replicas),
    consumers: [
      routerConsumer(config.routing),
      workerConsumer(config.jobs),
      dlqConsumer(),
      routerReplaysConsumer(config.routing),
      dlqOutcomesConsumer(),
      projectorJobsConsumer(),
      projectorEventsConsumer(),
      projectorAdvisoriesConsumer(),
    ],
  };
}

/** Streams, consumers and database schema, from the contracts; idempotent, so every install or upgrade runs it. */
export async function provision(config: ProvisionConfig): Promise<ProvisionResult> {
  const migrations = await migrate(config.databaseUrl);
  if (!config.jetstream) return { serverVersion: null, jetstream: { created: [], updated: [], unchanged: [] }, migrations };
  const nc = await connectNats({ ...config.nats, name: "hookstream-provision" });
  try {
    const jsm = await jetstreamManager(nc);
    const { streams, consumers, buckets } = jetstreamPlan(config);
    const report = await provisionJetStream(jsm, streams, consumers);
    // Opens a bucket that exists already.
    for (const b of buckets) await new Kvm(jetstream(nc)).create(b.name, { ttl: b.ttlMs, history: b.history, replicas: b.replicas });
    return { serverVersion: nc.info?.version ?? "unknown", jetstream: report, migrations };
  } finally {
    await nc.close();
  }
}
