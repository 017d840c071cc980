import { CONSUMERS, ErrorCategory, STREAMS } from "@hookstream/contracts";
import { account, type Figures } from "../chaos/accounting";
import { type ScenarioContext, startLoad } from "../chaos/scenarios/context";
import type { ChaosSystem } from "../chaos/system";
import { sleep, waitUntil } from "../chaos/wait";

export interface ReplicaContext extends ScenarioContext {
  /** Events per throughput round; each becomes one job per workspace (default 300). */
  throughputEvents?: number;
  /** Workspaces subscribed: jobs per event (default 8). */
  workspaces?: number;
}

export interface ThroughputRow {
  workers: number;
  jobs: number;
  /** Jobs delivered per second once every worker was ready, until the backlog was empty. */
  jobsPerSecond: number;
  /** Jobs delivered before the last worker was ready (not in the rate). */
  beforeReady: number;
  /** Jobs put back by the workers' fairness or breakers; failed attempts (retried after the backoff), by category. */
  deferred: number;
  failed: Record<string, number>;
  /** The longest pause between two deliveries (ms). */
  longestPauseMs: number;
}

export interface ReplicaResult {
  figures: Figures[];
  throughput: ThroughputRow[];
  /** Per instance: jobs (workers), routings (routers) or stored webhooks (ingress) it did itself. */
  shares: Record<string, number>;
}

const REPLICAS = { ingress: 2, router: 2, "workspace-worker": 3 } as const;

const scrape = async (system: ChaosSystem, instance: string) => (await fetch(system.url(instance, "/metrics"))).text();

/** Sum of a counter's samples in a /metrics text whose labels contain every `labels` pair. */
function counter(text: string, name: string, labels: string[]): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) || !labels.every((l) => line.includes(l))) continue;
    sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

const SHARE_METRIC: Record<string, [string, string[]]> = {
  ingress: ["hookstream_messages_published_total", [`stream="${STREAMS.webhooks}"`]],
  router: ["hookstream_operation_duration_seconds_count", ['operation="route"']],
  "workspace-worker": ["hookstream_operation_duration_seconds_count", ['operation="job"']],
};

/**
 * Scale-out 2: 2 ingress, 2 routers and 3 workers at once, sharing the durable consumers. A steady load through
 * both ingress instances must be processed once (every replica doing part of it); then the workers' throughput
 * with 1, 2 and 3 worker processes: with the workers stopped, a backlog of jobs is routed, then that many workers
 * start and drain it. Figures, not assertions: the rate is what this machine gave.
 */
export async function replicaScaleOut(ctx: ReplicaContext): Promise<ReplicaResult> {
  const workspaces = Array.from({ length: ctx.workspaces ?? 8 }, (_, i) => ({ id: `ws-${i + 1}`, expect: "delivered" as const }));
  const { system, sender } = await startLoad(ctx, "replicas", workspaces.map((w) => w.id), {
    replicas: REPLICAS,
    // A first ack deadline of 10 s, not the chaos scenarios' 1 s: on two busy cores a job waiting its turn in a worker
    // would otherwise be redelivered to another one, and the throughput rounds would count work done twice.
    env: { WORKER_CONCURRENCY: "32", JOB_BACKOFF: "10s,20s,40s", JOB_MAX_DELIVER: "8" },
  });
  try {
    await sleep(ctx.loadSeconds * 1000);
    await sender.stop();
    const steady = await account(system, sender, { scenario: "10. 2 ingress, 2 routers, 3 workers", workspaces, settleTimeoutMs: (ctx.settleSeconds ?? 120) * 1000, log: ctx.log });
    const shares: Record<string, number> = {};
    for (const [service, [name, labels]] of Object.entries(SHARE_METRIC)) {
      for (const instance of system.instances(service as keyof typeof REPLICAS)) shares[instance] = counter(await scrape(system, instance), name, labels);
    }
    const idle = Object.entries(shares).filter(([, n]) => n === 0).map(([i]) => i);
    if (idle.length > 0) steady.violations.push(`did no work: ${idle.join(", ")}`);
    steady.extra = Object.fromEntries(Object.entries(shares).map(([i, n]) => [i, n]));

    const workers = system.instances("workspace-worker");
    const throughput: ThroughputRow[] = [];
    for (let n = 1; n <= workers.length; n++) {
      await Promise.all(workers.map((w) => system.services.stop(w)));
      // The same provider goes on: its event numbers tell the rounds apart.
      const firstOfRound = sender.events.size;
      const events = ctx.throughputEvents ?? 300;
      await sender.burst(events, Math.max(1000, (events / 200) * 1000));
      await sender.stop();
      const round = sender.accepted().filter((e) => e.n >= firstOfRound);
      const jobs = round.length * workspaces.length;
      // The whole backlog routed and waiting before any worker runs.
      await waitUntil(async () => (await system.jsm.consumers.info(STREAMS.jobs, CONSUMERS.workspaceWorker)).num_pending >= jobs, `${jobs} jobs routed`, 120_000, 250);
      const ids = new Set(round.flatMap((e) => workspaces.map((w) => `${e.id}:${w.id}`)));
      const deliveredAt = () => [...ids].map((id) => system.destination.withId(id).find((d) => d.status >= 200 && d.status < 300)?.at).filter((t): t is number => t !== undefined);
      await Promise.all(workers.slice(0, n).map((w) => system.services.start(w)));
      const ready = Date.now();
      const times = await waitUntil(() => {
        const t = deliveredAt();
        return t.length >= ids.size && t;
      }, `${ids.size} jobs delivered by ${n} worker(s)`, 300_000, 250);
      const last = Math.max(...times);
      const afterReady = times.filter((t) => t >= ready).length;
      const sorted = [...times].sort((a, b) => a - b);
      const longestPauseMs = sorted.reduce((m, t, i) => (i === 0 ? m : Math.max(m, t - sorted[i - 1]!)), 0);
      // The workers were started for this round, so their counters are this round's.
      const running = workers.slice(0, n);
      const texts = await Promise.all(running.map((w) => scrape(system, w)));
      const sum = (name: string, labels: string[]) => texts.reduce((n, text) => n + counter(text, name, labels), 0);
      const deferred = sum("hookstream_jobs_deferred_total", []);
      const failed: Record<string, number> = {};
      for (const category of ErrorCategory.options) {
        const count = sum("hookstream_messages_failed_total", [`stream="${STREAMS.jobs}"`, `category="${category}"`]);
        if (count > 0) failed[category] = count;
      }
      const row = { workers: n, jobs: ids.size, jobsPerSecond: last > ready ? Math.round((afterReady / (last - ready)) * 1000) : NaN, beforeReady: ids.size - afterReady, deferred, failed, longestPauseMs };
      ctx.log(`${n} worker(s): ${row.jobs} jobs, ${row.jobsPerSecond} jobs/s (${row.beforeReady} delivered before the last was ready; ${deferred} deferred, failed attempts ${describeFailed(failed)}, longest pause ${longestPauseMs} ms)`);
      throughput.push(row);
    }
    await Promise.all(workers.map((w) => (system.services.running(w) ? undefined : system.services.start(w))));
    // Every event of every round, processed once in every workspace.
    const all = await account(system, sender, { scenario: "10. (whole run, throughput rounds included)", workspaces, log: ctx.log });
    return { figures: [steady, all], throughput, shares };
  } finally {
    await sender.stop();
    await system.stop();
  }
}

const describeFailed = (failed: Record<string, number>) => Object.entries(failed).map(([c, n]) => `${n} ${c}`).join(", ") || "0";

/** The throughput rounds as a Markdown table. */
export function throughputTable(rows: ThroughputRow[]): string {
  const base = rows[0]?.jobsPerSecond ?? NaN;
  return [
    "| worker processes | jobs | jobs/s | × 1 worker | deferred | failed attempts | longest pause (ms) |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.workers} | ${r.jobs} | ${Number.isFinite(r.jobsPerSecond) ? r.jobsPerSecond : "–"} | ${(r.jobsPerSecond / base).toFixed(2)} | ${r.deferred} | ${describeFailed(r.failed)} | ${r.longestPauseMs} |`),
  ].join("\n");
}
