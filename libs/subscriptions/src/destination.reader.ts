import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import type { NatsConnection, Subscription as NatsSubscription } from "@nats-io/nats-core";
import type { Repository } from "typeorm";
import { BoundedCache, MicroBatcher } from "@hookstream/collections";
import { SUBJECTS } from "@hookstream/contracts";
import { Subscription } from "@hookstream/database";
import { NATS_CONNECTION } from "@hookstream/jetstream";
import { isEncrypted, Keyring } from "@hookstream/secrets";

/** A signing secret as the reader hands it out: still encrypted, opened only to build a signing key. */
export interface SealedSecret {
  /** The stored (encrypted) form: the same for as long as the secret is, so it can name a cached signing key. */
  readonly sealed: string;
  /** The secret in clear: for building a signing key, never to be logged or kept. */
  open(): string;
}

export interface Destination {
  url: string | null;
  secret: SealedSecret | null;
}

/** A subscription's destination as stored: the secret still encrypted, so the cache holds no secret in clear. */
interface Stored {
  url: string | null;
  secret: string | null;
}

/** Subscriptions remembered, and for how long at most (a change missed while disconnected is seen by then). */
const MAX_CACHED = 100_000;
const MAX_AGE_MS = 60_000;
/** Look-ups of different subscriptions arriving together (a fan-out's jobs) share one query. */
const BATCH = { maxItems: 500, maxDelayMs: 2 };

interface Lookup {
  id: string;
  found?: Stored | null;
}

/**
 * Where a subscription's jobs go: what the worker delivers to and what the DLQ manager records. Served from memory:
 * every change to subscriptions is announced on SUBSCRIPTIONS (admin APIs, renames, removals), and an announcement
 * forgets everything remembered, as does a reconnect (announcements may have been missed).
 */
@Injectable()
export class DestinationReader implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(DestinationReader.name);
  private readonly cache = new BoundedCache<string, Stored | null>(MAX_CACHED, MAX_AGE_MS);
  private readonly batcher = new MicroBatcher<Lookup>((lookups) => this.load(lookups), BATCH);
  /** Bumped by every change: a query that started before one must not fill the cache with what it read. */
  private generation = 0;
  private subscription?: NatsSubscription;

  constructor(
    @InjectRepository(Subscription) private readonly repo: Repository<Subscription>,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly keyring: Keyring,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscription = this.nc.subscribe(SUBJECTS.subscriptionsAll, {
      callback: (err) => {
        if (err) this.log.warn(`not told of subscription changes (${err.message}): destinations are read again within ${MAX_AGE_MS / 1000} s`);
        this.forgetAll();
      },
    });
    await this.nc.flush();
    void (async () => {
      for await (const s of this.nc.status()) if (s.type === "disconnect" || s.type === "reconnect") this.forgetAll();
    })();
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** The destination with its secret decrypted, to sign a delivery; null once the subscription was removed. */
  async forDelivery(subscriptionId: string): Promise<Destination | null> {
    const stored = await this.find(subscriptionId);
    if (!stored) return null;
    const sealed = stored.secret;
    if (sealed === null) return { url: stored.url, secret: null };
    // A row written before encryption existed (until a router or DLQ manager start-up encrypts it) is still usable.
    const open = () => (isEncrypted(sealed) ? this.keyring.decrypt(sealed) : sealed);
    return { url: stored.url, secret: { sealed, open } };
  }

  /** The destination URL only; null when none or the subscription was removed. */
  async urlOf(subscriptionId: string): Promise<string | null> {
    return (await this.find(subscriptionId))?.url ?? null;
  }

  private async find(subscriptionId: string): Promise<Stored | null> {
    const cached = this.cache.get(subscriptionId.toLowerCase());
    if (cached !== undefined) return cached;
    const lookup: Lookup = { id: subscriptionId };
    await this.batcher.add(lookup);
    return lookup.found ?? null;
  }

  private async load(lookups: Lookup[]): Promise<void> {
    const generation = this.generation;
    const ids = [...new Set(lookups.map((l) => l.id.toLowerCase()))];
    const rows: { id: string; destination_url: string | null; destination_secret: string | null }[] = await this.repo.query(
      "SELECT id, destination_url, destination_secret FROM subscriptions WHERE id = ANY($1::uuid[])",
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, { url: r.destination_url, secret: r.destination_secret }]));
    for (const l of lookups) l.found = byId.get(l.id.toLowerCase()) ?? null;
    if (generation !== this.generation) return;
    for (const id of ids) this.cache.set(id, byId.get(id) ?? null);
  }

  private forgetAll(): void {
    this.generation++;
    this.cache.clear();
  }
}
