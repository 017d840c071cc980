import { randomBytes } from "node:crypto";
import { Client, Pool } from "pg";
import { migrate } from "@hookstream/database";
import { adminDatabaseUrl, LOCAL_POSTGRES } from "./test-env";

/** A database of its own for one test file, migrated, dropped by `drop()`. */
export interface TestDatabase {
  url: string;
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function adminUrl(): Promise<{ url: string; stop?: () => Promise<void> }> {
  const given = adminDatabaseUrl();
  if (given) return { url: given };
  if (await reachable(LOCAL_POSTGRES)) return { url: LOCAL_POSTGRES };
  // No URL and no local server: a throwaway container, where Docker exists.
  const { PostgreSqlContainer } = await import("./postgres-container");
  const c = await PostgreSqlContainer();
  return { url: c.url, stop: c.stop };
}

/** `adminUrl` names another server (e.g. a private PostgreSQL the test stops and starts); default: the local one. */
export async function createTestDatabase(adminUrlOverride?: string): Promise<TestDatabase> {
  const admin = adminUrlOverride ? { url: adminUrlOverride } : await adminUrl();
  const name = `hs_test_${randomBytes(6).toString("hex")}`;
  const url = new URL(admin.url);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  // A pool, so a connection lost while the server restarts is replaced instead of failing every later query.
  const pool = new Pool({ connectionString: url.toString(), max: 2 });
  pool.on("error", () => undefined);
  return {
    url: url.toString(),
    query: async <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as T[],
    drop: async () => {
      await pool.end();
      const c = new Client({ connectionString: admin.url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      await admin.stop?.();
    },
  };
}
