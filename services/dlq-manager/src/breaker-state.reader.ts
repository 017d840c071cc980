import { Inject, Injectable } from "@nestjs/common";
import type { JetStreamClient } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { BreakerStateRecord, BUCKETS, HookstreamError } from "@hookstream/contracts";
import { JETSTREAM } from "@hookstream/jetstream";

/** Breakers listed at most: past a few hundred open hosts the list says nothing more to an operator. */
const MAX_BREAKERS = 500;

/** Reads the workers' open circuit breakers from the KV bucket they write them to. */
@Injectable()
export class BreakerStateReader {
  private kv?: Promise<KV>;

  constructor(@Inject(JETSTREAM) private readonly js: JetStreamClient) {}

  /** Open or half-open breakers, one per host and worker, the most recent change first. */
  async list(): Promise<{ items: BreakerStateRecord[]; truncated: boolean }> {
    try {
      const kv = await (this.kv ??= new Kvm(this.js).open(BUCKETS.circuitBreakers));
      const keys: string[] = [];
      for await (const k of await kv.keys()) keys.push(k);
      const entries = await Promise.all(keys.slice(0, MAX_BREAKERS).map((k) => kv.get(k)));
      const items = entries
        .map((e) => (e && e.operation === "PUT" ? BreakerStateRecord.safeParse(e.json()) : null))
        .flatMap((p) => (p?.success ? [p.data] : []))
        .sort((a, b) => b.at.localeCompare(a.at));
      return { items, truncated: keys.length > MAX_BREAKERS };
    } catch (e) {
      this.kv = undefined;
      throw new HookstreamError("external_api", `reading ${BUCKETS.circuitBreakers}: ${(e as Error).message}`, { cause: e });
    }
  }
}
