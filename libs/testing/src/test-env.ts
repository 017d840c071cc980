import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/** Where tests find their services; every test file still makes its own database and nats-server. */
const schema = z.object({
  DATABASE_URL: z.string().optional(),
  NATS_SERVER_BIN: z.string().optional(),
  /** The folder holding initdb and pg_ctl, for suites that run a PostgreSQL of their own. */
  PG_BIN: z.string().optional(),
});

const env = schema.parse(process.env);

/** An admin connection: tests create (and drop) their own databases through it. */
export const adminDatabaseUrl = (): string | undefined => {
  if (!env.DATABASE_URL) return undefined;
  const u = new URL(env.DATABASE_URL);
  u.pathname = "/postgres";
  return u.toString();
};

export function natsServerBinary(): string | undefined {
  const candidates = [env.NATS_SERVER_BIN, "/usr/sbin/nats-server", "/usr/local/bin/nats-server", "/usr/bin/nats-server"];
  return candidates.find((c): c is string => Boolean(c && existsSync(c)));
}

export const LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres";

/** `PG_BIN`, else the newest /usr/lib/postgresql/<version>/bin. */
export function postgresBinaries(): string | undefined {
  if (env.PG_BIN) return env.PG_BIN;
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "pg_ctl"))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], "bin") : undefined;
}
