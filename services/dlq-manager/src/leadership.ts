import { Inject, Injectable, Logger, type OnModuleDestroy } from "@nestjs/common";
import { Client } from "pg";
import { DLQ_CONFIG, type DlqConfig } from "./config";

/** Session advisory lock key: one leader per database, for automatic recovery and retention clean-up alike. */
const LOCK_NAME = "hookstream.dlq-manager.recovery";
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Leadership of automatic recovery and retention among DLQ manager replicas: a PostgreSQL session advisory lock held on a
 * connection of its own. If the leader dies or loses PostgreSQL, its session ends, the lock is free, and another
 * replica takes it on its next try.
 */
@Injectable()
export class Leadership implements OnModuleDestroy {
  private readonly log = new Logger(Leadership.name);
  private client?: Client;
  private pending?: Promise<boolean>;

  constructor(@Inject(DLQ_CONFIG) private readonly config: DlqConfig) {}

  get isLeader(): boolean {
    return this.client !== undefined;
  }

  /**
   * Confirms or takes leadership; false while another replica holds it or PostgreSQL cannot be reached. Calls at
   * the same time (recovery and retention) share one check, so they never open two sessions.
   */
  hold(): Promise<boolean> {
    return (this.pending ??= this.check().finally(() => (this.pending = undefined)));
  }

  private async check(): Promise<boolean> {
    if (this.client) {
      try {
        await this.client.query("SELECT 1");
        return true;
      } catch (e) {
        this.log.warn(`lost leadership: ${(e as Error).message}`);
        await this.drop();
      }
    }
    const client = new Client({ connectionString: this.config.databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // A broken connection is noticed by the next hold(); without a listener, its error would end the process.
    client.on("error", () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS locked", [LOCK_NAME]);
      if (rows[0]?.locked) {
        this.client = client;
        this.log.log("leading automatic recovery and retention");
        return true;
      }
    } catch (e) {
      this.log.debug(`leadership not taken: ${(e as Error).message}`);
    }
    await client.end().catch(() => undefined);
    return false;
  }

  async onModuleDestroy(): Promise<void> {
    await this.drop();
  }

  /** Ending the session releases the lock. */
  private async drop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
