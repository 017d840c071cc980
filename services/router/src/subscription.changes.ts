import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from "@nestjs/common";
import type { NatsConnection, Subscription as NatsSubscription } from "@nats-io/nats-core";
import { SUBJECTS } from "@hookstream/contracts";
import { NATS_CONNECTION } from "@hookstream/jetstream";
import { SubscriptionAnnouncer, type SubscriptionRule, SubscriptionStore } from "@hookstream/subscriptions";
import { ROUTER_CONFIG, type RouterConfig } from "./config";
import { SubscriptionIndex } from "./subscription.index";

/** A replica that missed a change (disconnected) still converges within this period. */
const REFRESH_MS = 60_000;
/** Changes arriving together cause one reload. */
const DEBOUNCE_MS = 20;

/**
 * The router's view of subscriptions: an in-memory index, reloaded when any service (router or DLQ manager)
 * announces a change on SUBSCRIPTIONS, and every minute, so routing does not query PostgreSQL per event. Past
 * ROUTER_MAX_INDEXED subscriptions the index is not used and routing queries PostgreSQL instead.
 */
@Injectable()
export class SubscriptionChanges implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(SubscriptionChanges.name);
  private readonly index: SubscriptionIndex;
  private indexed = false;
  private subscription?: NatsSubscription;
  private refresh?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private reloading?: Promise<void>;
  private reloadAgain = false;
  /**
   * Changes heard (announcements, and reconnects, which may have hidden some), and how many of them the index
   * reflects: those heard before the read it was built from began. NATS hands this connection an announcement before
   * any event published after it (the admin API answered only once it was stored), so an event read while the index
   * is behind waits for a read that began after the change, even if a read that began before it is under way: a
   * subscription confirmed by any replica routes the very next event on every replica.
   */
  private changesHeard = 0;
  private changesReflected = 0;

  constructor(
    private readonly store: SubscriptionStore,
    announcer: SubscriptionAnnouncer,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(ROUTER_CONFIG) config: RouterConfig,
  ) {
    this.index = new SubscriptionIndex(config.maxIndexedSubscriptions);
    // A change made here (admin API, repository lifecycle) applies to this replica before its request returns.
    announcer.onAnnounced(() => this.reload());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    this.subscription = this.nc.subscribe(SUBJECTS.subscriptionsAll, {
      callback: () => this.changeHeard(),
    });
    this.refresh = setInterval(() => this.scheduleReload(), REFRESH_MS);
    void this.reloadOnReconnect();
  }

  onModuleDestroy(): void {
    clearInterval(this.refresh);
    clearTimeout(this.debounce);
    this.subscription?.unsubscribe();
  }

  async candidates(source: string, resource: string | null): Promise<SubscriptionRule[]> {
    if (this.changesReflected < this.changesHeard) await this.reload();
    return this.indexed ? this.index.candidates(source, resource) : this.store.candidates(source, resource);
  }

  /** Reloads the index; concurrent calls share one reload and a call during a reload causes one more. */
  async reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        const heard = this.changesHeard;
        const rules = await this.store.allRules(this.index.maxRules + 1);
        const fits = this.index.replace(rules);
        if (fits !== this.indexed) this.log.warn(fits ? "subscriptions fit in memory again: routing from the index" : `more than ${this.index.maxRules} subscriptions: routing queries PostgreSQL`);
        this.indexed = fits;
        this.changesReflected = heard;
      } while (this.reloadAgain);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private changeHeard(): void {
    this.changesHeard++;
    this.scheduleReload();
  }

  private scheduleReload(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.reload().catch((e: Error) => this.log.warn(`reloading subscriptions: ${e.message}`)), DEBOUNCE_MS);
  }

  private async reloadOnReconnect(): Promise<void> {
    for await (const s of this.nc.status()) if (s.type === "reconnect") this.changeHeard();
  }
}
