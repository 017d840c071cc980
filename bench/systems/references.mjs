// The two reference pipelines, each as an API process and a worker process on its own database (and, for
// BullMQ, its own redis-server), with the same concurrency budget as Hookstream's worker.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createDatabase, startRedis, withClient } from "../lib/infra.mjs";
import { freePort, httpOk, start, stop, waitFor } from "../lib/procs.mjs";
import { GITHUB_SECRET } from "../lib/signing.mjs";
import { insertSubscriptions, subscription } from "./subscriptions.mjs";

const BULLMQ_SCHEMA = `
  CREATE TABLE subscriptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id text NOT NULL, source text NOT NULL, resource text NOT NULL,
    destination_url text NOT NULL, destination_secret text NOT NULL,
    UNIQUE (workspace_id, source, resource)
  );
  CREATE INDEX subscriptions_source_resource ON subscriptions (source, resource);`;

async function startPair({ name, label, dir, root, logDir, destinationsUrl, db, env, extra = [], workerEnv }) {
  const port = await freePort();
  const api = start(`${name}-api`, process.execPath, [join(root, `bench/${dir}/api.mjs`)], { env: { ...env, PORT: String(port) }, logDir });
  const worker = start(`${name}-worker`, process.execPath, [join(root, `bench/${dir}/worker.mjs`)], { env: { ...env, ...workerEnv }, logDir });
  const procs = [api, worker];
  const system = {
    name,
    label,
    ingestUrl: `http://127.0.0.1:${port}/webhooks/github`,
    db,
    processes: () => [...procs, ...extra.map((x) => x.proc)].filter((p) => p.child.exitCode === null && p.child.signalCode === null),
    async stop() {
      await Promise.all(procs.map((p) => stop(p)));
      for (const x of extra) await x.stop();
      await db.drop();
    },
    addSubscriptions: (subs) => withClient(db.url, (c) => insertSubscriptions(c, subs.map((s) => subscription(destinationsUrl, s)))),
    async counters() {
      return {
        pg: await withClient(db.url, async (c) => {
          await c.query("SELECT pg_stat_force_next_flush()").catch(() => {});
          const { rows } = await c.query("SELECT xact_commit::bigint AS commits, tup_inserted::bigint AS inserted, tup_updated::bigint AS updated FROM pg_stat_database WHERE datname = current_database()");
          return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
        }),
      };
    },
  };
  try {
    await waitFor(async () => {
      for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited:\n${p.tail()}`);
      return httpOk(`http://127.0.0.1:${port}/healthz`);
    }, `${name} to listen`);
  } catch (e) {
    await system.stop().catch(() => {});
    throw e;
  }
  return system;
}

export async function startPgSkipLocked({ root, logDir, destinationsUrl, concurrency, claimBatch = 16 }) {
  const db = await createDatabase("bench_pg_skip_locked");
  await withClient(db.url, (c) => c.query(readFileSync(join(root, "bench/reference-pg-skip-locked/schema.sql"), "utf8")));
  const batch = Math.min(claimBatch, concurrency);
  return startPair({
    name: "pg-skip-locked",
    label: "PG SKIP LOCKED",
    dir: "reference-pg-skip-locked",
    root,
    logDir,
    destinationsUrl,
    db,
    env: { DATABASE_URL: db.url, GITHUB_WEBHOOK_SECRET: GITHUB_SECRET },
    // Deliveries in flight = loops × batch = the budget.
    workerEnv: { WORKER_LOOPS: String(Math.max(1, Math.round(concurrency / batch))), CLAIM_BATCH: String(batch) },
  });
}

export async function startBullmq({ root, tmp, logDir, destinationsUrl, concurrency }) {
  const db = await createDatabase("bench_bullmq");
  await withClient(db.url, (c) => c.query(BULLMQ_SCHEMA));
  let redis;
  try {
    mkdirSync(join(tmp, "redis"));
    redis = await startRedis({ dir: join(tmp, "redis"), logDir });
  } catch (e) {
    await db.drop();
    throw e;
  }
  const system = await startPair({
    name: "bullmq",
    label: "BullMQ",
    dir: "reference-bullmq",
    root,
    logDir,
    destinationsUrl,
    db,
    extra: [redis],
    env: { DATABASE_URL: db.url, REDIS_URL: redis.url, GITHUB_WEBHOOK_SECRET: GITHUB_SECRET },
    workerEnv: { CONCURRENCY: String(concurrency) },
  });
  const pgCounters = system.counters;
  system.counters = async () => {
    const { Redis } = await import("ioredis");
    const r = new Redis(redis.url);
    try {
      // Commands run inside Lua scripts count too; BullMQ's round trips are mostly script calls (evalsha).
      const info = await r.info("commandstats");
      const stats = [...info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map((m) => [m[1], Number(m[2])]);
      const scripts = stats.filter(([c]) => c === "evalsha" || c === "eval").reduce((n, [, v]) => n + v, 0);
      return { ...(await pgCounters()), redis: { commandsInclScripts: stats.reduce((n, [, v]) => n + v, 0), scriptCalls: scripts } };
    } finally {
      r.disconnect();
    }
  };
  return system;
}
