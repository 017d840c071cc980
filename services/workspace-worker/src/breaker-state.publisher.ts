import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from "@nestjs/common";
import type { JetStreamClient } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { hostname } from "node:os";
import { BREAKER_STATE_REFRESH_MS, BUCKETS, breakerKey, type BreakerStateRecord } from "@hookstream/contracts";
import { JETSTREAM } from "@hookstream/jetstream";
import type { BreakerState, CircuitBreakers } from "./circuit-breaker";

/** Writes waiting at most; past it a change is dropped, and the next refresh writes the state again. */
const MAX_PENDING_WRITES = 1000;

/**
 * Shares this process's open breakers through the KV bucket BUCKETS.circuitBreakers (the DLQ manager reads it
 * for the console): each change is written in order, and every open breaker is written again well within the
 * bucket's TTL, so the keys of a worker that died expire. Best effort: a failed write only costs visibility.
 */
@Injectable()
export class BreakerStatePublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(BreakerStatePublisher.name);
  readonly worker = `${hostname()}/${process.pid}`;
  private kv?: Promise<KV>;
  private breakers?: CircuitBreakers;
  private writes: Promise<void> = Promise.resolve();
  private pending = 0;
  private timer?: NodeJS.Timeout;

  constructor(@Inject(JETSTREAM) private readonly js: JetStreamClient) {}

  /** The breakers to refresh (they are built before this is, with `changed` as their transition callback). */
  track(breakers: CircuitBreakers): void {
    this.breakers = breakers;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => this.refresh(), BREAKER_STATE_REFRESH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.writes;
  }

  changed(host: string, to: BreakerState): void {
    const retryAt = to === "open" ? (this.breakers?.notClosed().find((b) => b.host === host)?.retryAt ?? null) : null;
    this.write(host, to === "closed" ? null : { host, state: to, worker: this.worker, at: new Date().toISOString(), retryAt: retryAt === null ? null : new Date(retryAt).toISOString() });
  }

  private refresh(): void {
    for (const b of this.breakers?.notClosed() ?? []) {
      this.write(b.host, { host: b.host, state: b.state, worker: this.worker, at: new Date().toISOString(), retryAt: b.retryAt === null ? null : new Date(b.retryAt).toISOString() });
    }
  }

  private write(host: string, record: BreakerStateRecord | null): void {
    if (this.pending >= MAX_PENDING_WRITES) return;
    this.pending++;
    const key = breakerKey(this.worker, host);
    this.writes = this.writes
      .then(async () => {
        const kv = await (this.kv ??= new Kvm(this.js).open(BUCKETS.circuitBreakers));
        if (record) await kv.put(key, JSON.stringify(record));
        else await kv.delete(key);
      })
      .catch((e: Error) => {
        this.kv = undefined;
        this.log.debug(`breaker state of ${host} not shared: ${e.message}`);
      })
      .finally(() => this.pending--);
  }
}
