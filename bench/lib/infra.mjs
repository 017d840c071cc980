// Private infrastructure per system: a nats-server or redis-server of its own (temp dir, free port) and a
// fresh PostgreSQL database on the local server, all removed by the returned `stop`/`drop`.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import pg from "pg";
import { freePort, portOpen, start, stop, waitFor } from "./procs.mjs";

export const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(name) {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(sql) {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function createDatabase(prefix) {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  openDatabases.add(name);
  const drop = async () => {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    openDatabases.delete(name);
  };
  return { name, url: databaseUrl(name), drop };
}

export async function withClient(url, fn) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function natsServerBinary() {
  return [process.env.NATS_SERVER_BIN, "/usr/sbin/nats-server", "/usr/local/bin/nats-server"].find((p) => p && existsSync(p));
}

/** JetStream with file storage in `storeDir`, and the monitoring port (connz/varz) for round-trip counts. */
export async function startNats({ storeDir, logDir, name = "nats-server" }) {
  const bin = natsServerBinary();
  if (!bin) throw new Error("nats-server not found (set NATS_SERVER_BIN)");
  const [port, monitorPort] = [await freePort(), await freePort()];
  const proc = start(name, bin, ["-a", "127.0.0.1", "-p", String(port), "-m", String(monitorPort), "-js", "-sd", storeDir], { logDir });
  await waitFor(() => portOpen(port), `nats-server on ${port}`, 15_000);
  return { proc, url: `nats://127.0.0.1:${port}`, monitorUrl: `http://127.0.0.1:${monitorPort}`, stop: () => stop(proc) };
}

/**
 * Redis as BullMQ wants it (noeviction), durable the way JetStream's file store is: every write appended to
 * a file, fsync'ed every second (appendfsync everysec), no RDB snapshots in the middle of a measurement.
 */
export async function startRedis({ dir, logDir }) {
  const port = await freePort();
  const args = ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction", "--protected-mode", "no"];
  const proc = start("redis-server", "redis-server", args, { logDir });
  await waitFor(() => portOpen(port), `redis-server on ${port}`, 15_000);
  return { proc, url: `redis://127.0.0.1:${port}`, stop: () => stop(proc) };
}

/** Databases created and not dropped yet: dropped on the way out whatever happened. */
export const openDatabases = new Set();
export async function dropOpenDatabases() {
  for (const name of openDatabases) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((e) => console.error(`[bench] drop ${name}: ${e.message}`));
}
