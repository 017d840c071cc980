import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from "@nestjs/common";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { BoundedCache } from "@hookstream/collections";
import { NATS_CONNECTION } from "@hookstream/jetstream";

/** JetStream announces every new stream here; a KV bucket `b` is the stream `KV_b`. */
const STREAM_CREATED = "$JS.EVENT.ADVISORY.STREAM.CREATED.";
const KV_STREAM_PREFIX = "KV_";
const MAX_BUCKETS = 100_000;
const MAX_AGE_MS = 10 * 60_000;

/**
 * Cache buckets known not to exist, so that a job for a workspace that caches nothing costs no NATS request. A
 * bucket is forgotten as soon as JetStream announces its stream (the announcement reaches us before its creator's
 * call returns), and everything is forgotten whenever announcements may have been missed: while disconnected, or
 * when this connection may not hear them (then nothing is remembered and every job asks).
 */
@Injectable()
export class AbsentBuckets implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(AbsentBuckets.name);
  private absent = new BoundedCache<string, true>(MAX_BUCKETS, MAX_AGE_MS);
  private listening = false;
  private subscription?: Subscription;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async onModuleInit(): Promise<void> {
    this.subscription = this.nc.subscribe(`${STREAM_CREATED}*`, {
      callback: (err, msg) => {
        if (err) {
          this.log.warn(`not told of new streams (${err.message}): every job looks its workspace's bucket up`);
          this.forgetAll(false);
          return;
        }
        const stream = msg.subject.slice(STREAM_CREATED.length);
        if (stream.startsWith(KV_STREAM_PREFIX)) this.absent.delete(stream.slice(KV_STREAM_PREFIX.length));
      },
    });
    // Listening starts once the server has the subscription.
    await this.nc.flush();
    this.listening = !this.subscription.isClosed();
    void this.forgetOnReconnect();
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  has(bucket: string): boolean {
    return this.listening && this.absent.get(bucket) === true;
  }

  add(bucket: string): void {
    if (this.listening) this.absent.set(bucket, true);
  }

  private forgetAll(listening: boolean): void {
    this.listening = listening;
    this.absent = new BoundedCache(MAX_BUCKETS, MAX_AGE_MS);
  }

  private async forgetOnReconnect(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === "disconnect") this.forgetAll(false);
      // The client subscribes again as it reconnects.
      else if (s.type === "reconnect" && !this.subscription?.isClosed()) this.forgetAll(true);
    }
  }
}
