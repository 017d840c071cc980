import { DataSource, type DataSourceOptions } from "typeorm";
import { Client } from "pg";
import { Subscription } from "./entities/subscription.entity";
import { DeadLetter } from "./entities/dead-letter.entity";
import { Foundation1764201600000 } from "./migrations/1764201600000-foundation";
import { RoutedEvents1764205200000 } from "./migrations/1764205200000-routed-events";
import { SubscriptionFilters1764208800000 } from "./migrations/1764208800000-subscription-filters";
import { DeadLetterRecovery1764212400000 } from "./migrations/1764212400000-dead-letter-recovery";
import { JobLifecycle1764219600000 } from "./migrations/1764219600000-job-lifecycle";
import { WorkerState1764223200000 } from "./migrations/1764223200000-worker-state";
import { RetentionIndexes1764226800000 } from "./migrations/1764226800000-retention-indexes";
import { DestinationSecretHint1764228600000 } from "./migrations/1764228600000-destination-secret-hint";
import { FanoutOnJobs1764230400000 } from "./migrations/1764230400000-fanout-on-jobs";

export const ENTITIES = [Subscription, DeadLetter];
/** In order; a new migration is added at the end. */
export const MIGRATIONS = [Foundation1764201600000, RoutedEvents1764205200000, SubscriptionFilters1764208800000, DeadLetterRecovery1764212400000, JobLifecycle1764219600000, WorkerState1764223200000, RetentionIndexes1764226800000, DestinationSecretHint1764228600000, FanoutOnJobs1764230400000];

export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: "postgres",
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: "hookstream_migrations",
    poolSize,
    // Fail a request fast while PostgreSQL is away instead of queueing forever.
    extra: { connectionTimeoutMillis: 5000 },
  };
}

/** Creates the database named in `url` when it does not exist (connecting to `postgres` to do so). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`cannot reach PostgreSQL at ${target.host} (DATABASE_URL): ${(e as Error).message}`, { cause: e });
  }
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (e) {
    // Another process created it between the check and the create.
    if ((e as { code?: string }).code === "42P04") return false;
    throw e;
  } finally {
    await client.end();
  }
}

/** Creates the database if needed and applies pending migrations; returns the names of those applied. */
export async function migrate(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const ds = new DataSource(dataSourceOptions(url, 1));
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: "each" });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
