import type { ConsumerConfig, JetStreamManager } from "@nats-io/jetstream";
import type { ConsumerSpec, StreamDefinition } from "@hookstream/contracts";

export interface ProvisionReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

function isNotFound(e: unknown): boolean {
  return /not found/i.test((e as Error).message);
}

/** True when every field we set already has that value on the server. */
function matches(wanted: object, actual: object): boolean {
  return Object.entries(wanted).every(([k, v]) => v === undefined || JSON.stringify((actual as Record<string, unknown>)[k]) === JSON.stringify(v));
}

/** Creates or updates every stream and consumer from the contracts; safe to run any number of times. */
export async function provisionJetStream(jsm: JetStreamManager, streams: StreamDefinition[], consumers: ConsumerSpec[]): Promise<ProvisionReport> {
  const report: ProvisionReport = { created: [], updated: [], unchanged: [] };
  for (const cfg of streams) {
    const name = `stream ${cfg.name}`;
    try {
      const info = await jsm.streams.info(cfg.name);
      if (matches(cfg, info.config)) report.unchanged.push(name);
      else {
        await jsm.streams.update(cfg.name, cfg);
        report.updated.push(name);
      }
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await jsm.streams.add(cfg);
      report.created.push(name);
    }
  }
  for (const { stream, config } of consumers) {
    const name = `consumer ${stream} > ${config.durable_name}`;
    try {
      const info = await jsm.consumers.info(stream, config.durable_name);
      if (matches(config, info.config)) report.unchanged.push(name);
      else {
        await jsm.consumers.update(stream, config.durable_name, config as Partial<ConsumerConfig>);
        report.updated.push(name);
      }
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await jsm.consumers.add(stream, config);
      report.created.push(name);
    }
  }
  return report;
}
