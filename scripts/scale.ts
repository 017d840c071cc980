import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ChaosSystem, clusterLeaderLoss, type Figures, figuresTable, invariantViolations, replicaScaleOut, repositoryRoot, runningClusters, throughputTable } from "@hookstream/testing";

/**
 * `npm run scale [-- --only cluster,replicas --rate 20 --seconds 30 --fault 10 --replica-rate 10 --events 500
 * --workspaces 6 --out file.md]`: the scale-out scenarios of docs/reliability.md against the services built in dist/,
 * loopback only. Rates are events a second; each event is one job per workspace (2 in the cluster scenario).
 *   cluster:  a 3-node JetStream cluster, streams at 3 replicas; the WEBHOOKS leader killed, then leaders stepped down.
 *   replicas: 2 ingress, 2 routers, 3 workers sharing the consumers (--replica-rate); then jobs/s with 1, 2 and 3
 *             worker processes (a backlog of --events × --workspaces jobs per round).
 * Prints the tables; exits 1 when anything accepted was lost or applied twice.
 */
const { values } = parseArgs({
  options: {
    only: { type: "string", default: "cluster,replicas" },
    rate: { type: "string", default: "20" },
    "replica-rate": { type: "string", default: "10" },
    seconds: { type: "string", default: "30" },
    fault: { type: "string", default: "10" },
    events: { type: "string", default: "500" },
    workspaces: { type: "string", default: "6" },
    out: { type: "string" },
  },
});

const positive = (name: keyof typeof values): number => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${values[name]}`);
  return n;
};

async function main(): Promise<void> {
  const wanted = String(values.only).split(",").map((s) => s.trim());
  for (const w of wanted) if (w !== "cluster" && w !== "replicas") throw new Error(`--only: no scenario ${w} (there are cluster, replicas)`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopEverything(`interrupted (${signal})`, 130));
  const started = Date.now();
  const ctx = {
    distDir: join(repositoryRoot(), "dist"),
    rate: positive("rate"),
    loadSeconds: positive("seconds"),
    faultSeconds: positive("fault"),
    log: (m: string) => console.log(`[scale]   ${((Date.now() - started) / 1000).toFixed(1)} s ${m}`),
  };
  const rows: Figures[] = [];
  const out: string[] = [];
  if (wanted.includes("cluster")) {
    console.log("[scale] 9. 3-node NATS cluster, streams at 3 replicas: the WEBHOOKS leader killed, then leaders stepped down");
    const figures = await clusterLeaderLoss(ctx);
    console.log(figuresTable(figures));
    rows.push(...figures);
  }
  if (wanted.includes("replicas")) {
    console.log("[scale] 10. 2 ingress, 2 routers, 3 workers; then 1, 2 and 3 worker processes");
    const r = await replicaScaleOut({ ...ctx, rate: positive("replica-rate"), throughputEvents: positive("events"), workspaces: positive("workspaces") });
    rows.push(...r.figures);
    out.push(throughputTable(r.throughput));
  }
  for (const f of rows) f.violations = invariantViolations(f);
  out.unshift(figuresTable(rows));
  const text = `${out.join("\n\n")}\n\n(load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} at the end, on ${new Date().toISOString().slice(0, 16)} UTC)`;
  console.log(`\n${text}`);
  if (values.out) writeFileSync(values.out, `${text}\n`);
  const failed = rows.filter((r) => r.violations.length > 0);
  if (failed.length > 0) {
    console.error(`[scale] ${failed.length} scenario(s) broke the promise: ${failed.map((f) => f.scenario).join(", ")}`);
    process.exit(1);
  }
  process.exit(0);
}

/** Services, databases and nats-servers still running: none is left behind. */
async function stopEverything(why: string, code: number): Promise<void> {
  console.error(`[scale] ${why}: stopping what runs`);
  await Promise.all([...ChaosSystem.running].map((s) => s.stop().catch(() => undefined)));
  await Promise.all([...runningClusters].map((c) => c.destroy().catch(() => undefined)));
  process.exit(code);
}

main().catch((e: Error) => {
  console.error(`[scale] failed: ${e.stack ?? e.message}`);
  process.exit(1);
});
