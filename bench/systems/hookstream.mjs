// Hookstream as it runs in production: its four services from dist/ (built by scripts/build.mjs), provisioned
// by dist/scripts/provision.js, on a nats-server and a database of their own. Subscriptions go through the
// router's admin API; only `bulk` ones (the 10,000-workspace fan-out) are inserted into the table directly.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createDatabase, startNats, withClient } from "../lib/infra.mjs";
import { freePort, httpOk, start, stop, waitFor } from "../lib/procs.mjs";
import { GITHUB_SECRET } from "../lib/signing.mjs";
import { insertSubscriptions, subscription } from "./subscriptions.mjs";

const ADMIN_TOKEN = "bench-admin-token";
const SERVICES = [
  { name: "ingress", port: "INGRESS_PORT" },
  { name: "router", port: "ROUTER_PORT" },
  { name: "workspace-worker", port: "WORKER_PORT" },
  { name: "dlq-manager", port: "DLQ_PORT" },
];

/** Jobs in flight per delivery in flight (`--env WORKER_CONCURRENCY=64` reproduces the runs before this setting). */
const JOBS_PER_DELIVERY = 4;

export async function startHookstream({ root, hookstreamRoot = root, tmp, logDir, destinationsUrl, concurrency, cpuProfileDir, extraEnv = {} }) {
  const storeDir = join(tmp, "hookstream-jetstream");
  mkdirSync(storeDir);
  const nats = await startNats({ storeDir, logDir });
  const db = await createDatabase("bench_hookstream");
  const ports = {};
  for (const s of SERVICES) ports[s.name] = await freePort();
  const env = {
    NATS_URL: nats.url,
    DATABASE_URL: db.url,
    ADMIN_TOKEN,
    GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
    HOOKSTREAM_ENCRYPTION_KEY: randomBytes(32).toString("base64url"),
    LOG_LEVEL: "warn",
    SHUTDOWN_GRACE: "5s",
    // The concurrency budget, the same for every system: deliveries in flight. Jobs in flight may be more (four
    // times): the rest of a job is batched bookkeeping (PostgreSQL, JetStream), during which it holds no delivery.
    DELIVERY_CONCURRENCY: String(concurrency),
    WORKER_CONCURRENCY: String(Math.min(1024, concurrency * JOBS_PER_DELIVERY)),
    ...Object.fromEntries(SERVICES.map((s) => [s.port, String(ports[s.name])])),
    ...extraEnv,
  };
  const procs = [];
  const system = {
    name: "hookstream",
    label: "Hookstream",
    ingestUrl: `http://127.0.0.1:${ports.ingress}/webhooks/github`,
    metricsUrls: Object.fromEntries(SERVICES.map((s) => [s.name, `http://127.0.0.1:${ports[s.name]}/metrics`])),
    nats,
    db,
    processes: () => [...procs, nats.proc].filter((p) => p.child.exitCode === null && p.child.signalCode === null),
    async stop() {
      await Promise.all(procs.map((p) => stop(p, 10_000)));
      await nats.stop();
      await db.drop();
    },
    async addSubscriptions(subs, { bulk = false } = {}) {
      const rows = subs.map((s) => subscription(destinationsUrl, s));
      if (bulk) {
        // All but the last straight into the table; the last through the API, which announces the change.
        await withClient(db.url, (c) => insertSubscriptions(c, rows.slice(0, -1)));
        return adminCreate(rows.slice(-1));
      }
      return adminCreate(rows);
    },
    /** Messages per NATS connection (by client name) and PostgreSQL transactions, for round-trip counts. */
    async counters() {
      const connz = await (await fetch(`${nats.monitorUrl}/connz?limit=1024`)).json();
      const byName = {};
      for (const c of connz.connections) {
        const k = c.name ?? `cid-${c.cid}`;
        byName[k] ??= { inMsgs: 0, outMsgs: 0 };
        byName[k].inMsgs += c.in_msgs;
        byName[k].outMsgs += c.out_msgs;
      }
      const pg = await withClient(db.url, async (c) => {
        await c.query("SELECT pg_stat_force_next_flush()").catch(() => {});
        const { rows } = await c.query("SELECT xact_commit::bigint AS commits, tup_inserted::bigint AS inserted, tup_updated::bigint AS updated, tup_returned::bigint AS returned FROM pg_stat_database WHERE datname = current_database()");
        const totals = Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
        // Rows read per table, by sequential scan and through indexes: where "returned" comes from.
        const tables = await c.query("SELECT relname, seq_tup_read::bigint AS seq, COALESCE(idx_tup_fetch, 0)::bigint AS idx, (n_tup_ins + n_tup_upd)::bigint AS written FROM pg_stat_user_tables");
        const byTable = Object.fromEntries(tables.rows.map((r) => [r.relname, { seqRead: Number(r.seq), idxFetched: Number(r.idx), written: Number(r.written) }]));
        return { ...totals, tables: byTable };
      });
      return { nats: byName, pg };
    },
  };
  const adminCreate = async (rows) => {
    const routerUrl = `http://127.0.0.1:${ports.router}/admin/subscriptions`;
    let next = 0;
    const one = async () => {
      while (next < rows.length) {
        const row = rows[next++];
        const res = await fetch(routerUrl, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify(row),
        });
        if (res.status !== 201) throw new Error(`POST /admin/subscriptions answered ${res.status}: ${await res.text()}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, one));
  };

  try {
    const provision = start("provision", process.execPath, [join(hookstreamRoot, "dist/scripts/provision.js")], { env, logDir });
    if ((await provision.exited) !== 0) throw new Error(`provisioning failed:\n${provision.tail()}`);
    for (const s of SERVICES) {
      const profile = cpuProfileDir ? ["-r", join(root, "bench/lib/cpu-profiler.cjs")] : [];
      const serviceEnv = { ...env, OTEL_SERVICE_NAME: `hookstream-${s.name}`, BENCH_CPU_PROFILE: cpuProfileDir ? join(cpuProfileDir, `${s.name}.cpuprofile`) : "" };
      procs.push(start(s.name, process.execPath, [...profile, "--enable-source-maps", join(hookstreamRoot, `dist/services/${s.name}/src/main.js`)], { env: serviceEnv, logDir }));
    }
    for (const s of SERVICES) {
      const p = procs.find((x) => x.name === s.name);
      await waitFor(async () => {
        if (p.child.exitCode !== null) throw new Error(`${s.name} exited:\n${p.tail()}`);
        return httpOk(`http://127.0.0.1:${ports[s.name]}/readyz`);
      }, `${s.name} to be ready`, 60_000).catch((e) => {
        throw new Error(`${e.message}\n${p.tail()}`);
      });
    }
  } catch (e) {
    await system.stop().catch(() => {});
    throw e;
  }
  return system;
}
