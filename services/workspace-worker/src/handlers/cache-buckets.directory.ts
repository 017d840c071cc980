import { setTimeout as sleep } from "node:timers/promises";
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from "@nestjs/common";
import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { isCacheBucketName } from "@hookstream/contracts";
import { JETSTREAM_MANAGER, NATS_CONNECTION } from "@hookstream/jetstream";
import { KnownBuckets } from "./known-buckets";

/** JetStream announces every stream created or deleted here; a KV bucket `b` is the stream `KV_b`. */
const STREAM_CREATED = "$JS.EVENT.ADVISORY.STREAM.CREATED.";
const STREAM_DELETED = "$JS.EVENT.ADVISORY.STREAM.DELETED.";
const KV_STREAM_PREFIX = "KV_";
const MAX_BUCKETS = 100_000;
/** Between attempts at a listing that failed or was disturbed by a deletion. */
const RETRY_MS = 5_000;

const cacheBucketOf = (stream: string) => {
  const bucket = stream.startsWith(KV_STREAM_PREFIX) ? stream.slice(KV_STREAM_PREFIX.length) : undefined;
  return bucket !== undefined && isCacheBucketName(bucket) ? bucket : undefined;
};

/**
 * The workspaces' cache buckets that exist, so that a job for a workspace that caches nothing costs no NATS
 * request: the streams are listed at start and after every reconnect, and kept current by JetStream's stream
 * created and deleted announcements (a creation reaches us before its creator's call returns).
 *
 * It only says a bucket does not exist while the set is complete; otherwise every job asks NATS, as if there were
 * no directory:
 * - before the first listing finished, while disconnected, and after a reconnect until the relisting finished
 *   (announcements may have been missed meanwhile); also after a listing failed or saw a stream deleted (its
 *   pages, taken by offset, may have skipped a name), until a retry succeeds;
 * - for good, when the subscription to the announcements failed (say, for want of permission);
 * - for good, beyond MAX_BUCKETS cache buckets (memory stays bounded).
 * Each listing starts once the server has our subscriptions, so a bucket created during it is heard if not listed.
 * A bucket deleted after it was listed fails its job's request as StreamNotFound, which the handler takes as none.
 */
@Injectable()
export class CacheBucketsDirectory implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(CacheBucketsDirectory.name);
  private readonly known = new KnownBuckets({
    maxBuckets: MAX_BUCKETS,
    bucketOf: cacheBucketOf,
    onOverflow: () => this.log.warn(`more than ${MAX_BUCKETS} cache buckets, more than the directory holds: from now on every job asks NATS for its workspace's bucket`),
  });
  private subscriptions: Subscription[] = [];
  private deaf = false;
  /** Stops the listing under way (and its retries): on disconnect, and when another starts. */
  private listing?: AbortController;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager,
  ) {}

  /**
   * Returns once the first listing was tried; a failed or disturbed one is tried again in the background, so a start
   * never waits on streams deleted meanwhile by others (until then, jobs ask).
   */
  async onModuleInit(): Promise<void> {
    this.subscriptions = [STREAM_CREATED, STREAM_DELETED].map((prefix) =>
      this.nc.subscribe(`${prefix}*`, {
        callback: (err, msg) => {
          if (err) return this.stopListening(err);
          const stream = msg.subject.slice(prefix.length);
          if (prefix === STREAM_CREATED) this.known.created(stream);
          else this.known.deleted(stream);
        },
      }),
    );
    void this.followConnection();
    await new Promise<void>((firstTried) => void this.relist(firstTried));
  }

  onModuleDestroy(): void {
    this.listing?.abort();
    for (const s of this.subscriptions) s.unsubscribe();
  }

  /** True only when the bucket is known not to exist. */
  lacks(bucket: string): boolean {
    return this.known.lacks(bucket);
  }

  get isComplete(): boolean {
    return this.known.isComplete;
  }

  private stopListening(err: Error): void {
    if (this.deaf) return;
    this.deaf = true;
    this.listing?.abort();
    this.known.forget();
    this.log.warn(`not told of streams created and deleted (${err.message}): every job asks NATS for its workspace's bucket`);
  }

  private async followConnection(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === "disconnect") {
        this.listing?.abort();
        this.known.forget();
      }
      // The client subscribes again as it reconnects.
      else if (s.type === "reconnect") void this.relist();
    }
  }

  /** Lists until the set is complete, or will never be, or this listing is stopped; `tried` after the first attempt. */
  private async relist(tried: () => void = () => undefined): Promise<void> {
    this.listing?.abort();
    const listing = (this.listing = new AbortController());
    try {
      for (;;) {
        if (this.deaf || this.known.hasOverflowed || listing.signal.aborted) return;
        try {
          const outcome = await this.list(listing.signal);
          if (outcome === "complete") this.log.log(`cache buckets listed: ${this.known.size}`);
          if (outcome !== "disturbed") return;
        } catch (e) {
          this.log.warn(`listing the cache buckets failed (${(e as Error).message}); every job asks NATS for its bucket until a retry succeeds`);
        }
        tried();
        try {
          await sleep(RETRY_MS, undefined, { signal: listing.signal });
        } catch {
          return;
        }
      }
    } finally {
      tried();
    }
  }

  private async list(signal: AbortSignal) {
    // Our subscriptions are with the server (again, after a reconnect) before the listing starts.
    await this.nc.flush();
    if (signal.aborted || this.deaf) return "superseded";
    const id = this.known.startListing();
    for await (const stream of this.jsm.streams.names()) if (!this.known.listed(id, stream)) break;
    // Announcements sent before the last page have arrived: a deletion during the listing is seen.
    await this.nc.flush();
    return this.known.finishListing(id);
  }
}
