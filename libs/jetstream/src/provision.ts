import type { ConsumerConfig, JetStreamManager } from "@nats-io/jetstream";
import type { ConsumerSpec, StreamDefinition } from "@hookstream/contracts";

/** One setting an update changed: what the server had, and what it has now. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface ProvisionReport {
  created: string[];
  /** Each stream or consumer updated, with the settings that changed. */
  updated: { name: string; changes: FieldChange[] }[];
  unchanged: string[];
}

function isNotFound(e: unknown): boolean {
  return /not found/i.test((e as Error).message);
}

/** The settings we set whose value on the server differs (none: nothing to update). */
export function changedFields(wanted: object, actual: object): FieldChange[] {
  const has = actual as Record<string, unknown>;
  return Object.entries(wanted)
    .filter(([k, v]) => v !== undefined && JSON.stringify(has[k]) !== JSON.stringify(v))
    .map(([field, to]) => ({ field, from: has[field], to }));
}

/** nats-server's refusal (e.g. a storage or retention change, which 2.9 cannot apply in place), naming what it was. */
async function update(name: string, apply: () => Promise<unknown>): Promise<void> {
  try {
    await apply();
  } catch (e) {
    throw new Error(`${name}: update refused by nats-server: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Creates or updates every stream and consumer from the contracts; safe to run any number of times. Limits of an
 * existing stream (max age, max bytes, discard, replicas) are updated in place when the configuration changed.
 */
export async function provisionJetStream(jsm: JetStreamManager, streams: StreamDefinition[], consumers: ConsumerSpec[]): Promise<ProvisionReport> {
  const report: ProvisionReport = { created: [], updated: [], unchanged: [] };
  for (const cfg of streams) {
    const name = `stream ${cfg.name}`;
    try {
      const info = await jsm.streams.info(cfg.name);
      const changes = changedFields(cfg, info.config);
      if (changes.length === 0) report.unchanged.push(name);
      else {
        await update(name, () => jsm.streams.update(cfg.name, cfg));
        report.updated.push({ name, changes });
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
      const changes = changedFields(config, info.config);
      if (changes.length === 0) report.unchanged.push(name);
      else {
        await update(name, () => jsm.consumers.update(stream, config.durable_name, config as Partial<ConsumerConfig>));
        report.updated.push({ name, changes });
      }
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await jsm.consumers.add(stream, config);
      report.created.push(name);
    }
  }
  return report;
}
