import type { ProviderSender, SentEvent } from "./sender";
import type { ChaosSystem } from "./system";
import { sleep } from "./wait";

/**
 * What a subscribed workspace must end with for each accepted event. `delivered-or-dead-lettered`: a destination
 * that fails often may see a job run out of deliveries; its DLQ entry is a recorded, replayable outcome, not a loss.
 */
export type Expectation = "delivered" | "dead-lettered" | "delivered-or-dead-lettered";

export interface WorkspaceExpectation {
  id: string;
  expect: Expectation;
}

/** One scenario's figures, as the report prints them. */
export interface Figures {
  scenario: string;
  sent: number;
  accepted: number;
  /** 429 and 503 answers (a refusal the provider retries; not a loss). */
  refusals: number;
  /** Events still refused when the provider's retry window closed: never accepted, so not lost either. */
  givenUp: number;
  /** Accepted events that reached their expected outcome in every subscribed workspace. */
  processed: number;
  /** Accepted events missing their outcome (destination delivery, activity row, DLQ entry) in some workspace. */
  lost: number;
  /** Activity counted twice, a job projected twice, a job dead-lettered twice. Must be 0. */
  duplicateEffects: number;
  /** Extra 2xx deliveries of one job at a destination (at-least-once allows them). */
  duplicateDeliveries: number;
  /** Deliveries whose Standard Webhooks signature did not verify. */
  badSignatures: number;
  /** p99 of first send → outcome for events first sent during the fault (whole run when there is none). */
  p99LatencyMs: number;
  /** From the end of the fault until every event sent before it had its outcome. */
  recoveryMs: number;
  /** Anything the scenario itself checked and found wrong. */
  violations: string[];
  /** Figures specific to the scenario (e.g. DLQ entries, 503s while full). */
  extra: Record<string, number | string>;
}

export interface AccountOptions {
  scenario: string;
  workspaces: WorkspaceExpectation[];
  /** When the fault began and ended (Date.now()); without them the whole run is the window and recovery is 0. */
  faultStart?: number;
  faultEnd?: number;
  /** How long to wait for every accepted event to reach its outcome (default 120 s). */
  settleTimeoutMs?: number;
  /** Only these events (e.g. one phase of a run); default: all. Duplicates are always counted over the run. */
  events?: (e: SentEvent) => boolean;
  /** Progress while settling, and which jobs are missing when it gives up. */
  log?: (message: string) => void;
  /** Extra wait once settled, so late duplicates are counted (default 2 s). */
  quietMs?: number;
}

const workspaces = (opts: AccountOptions) => opts.workspaces.map((w) => w.id);
const jobId = (eventId: string, workspaceId: string) => `${eventId}:${workspaceId}`;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Snapshot {
  /** `<event>:<workspace>` → when its outcome happened (ms), for each job that reached its expectation. */
  done: Map<string, number>;
}

/**
 * Waits until every event first sent before `sentBefore` was accepted (or given up) and has its outcome in
 * every workspace, so the next fault starts from a system that recovered from the last one.
 */
export async function waitForOutcomes(system: ChaosSystem, sender: ProviderSender, workspaces: WorkspaceExpectation[], sentBefore: number, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const events = [...sender.events.values()].filter((e) => e.firstAt < sentBefore);
    if (events.every((e) => e.state !== "pending")) {
      const accepted = events.filter((e) => e.state === "accepted");
      const snap = await snapshot(system, accepted, workspaces);
      if (snap.done.size >= accepted.length * workspaces.length) return;
    }
    if (Date.now() > until) return;
    await sleep(250);
  }
}

/**
 * Waits until every accepted event has its outcome in every workspace (or the settle timeout), then counts.
 * An outcome needs both sides: the workspace's activity row in PostgreSQL, and the destination's 2xx delivery
 * (`delivered`) or the dead-letter entry (`dead-lettered`).
 */
export async function account(system: ChaosSystem, sender: ProviderSender, opts: AccountOptions): Promise<Figures> {
  const all = [...sender.events.values()].filter(opts.events ?? (() => true));
  const accepted = all.filter((e) => e.state === "accepted");
  const settleUntil = Date.now() + (opts.settleTimeoutMs ?? 120_000);
  let snap = await snapshot(system, accepted, opts.workspaces);
  while (snap.done.size < accepted.length * opts.workspaces.length && Date.now() < settleUntil) {
    await sleep(500);
    snap = await snapshot(system, accepted, opts.workspaces);
  }
  await sleep(opts.quietMs ?? 2000);
  snap = await snapshot(system, accepted, opts.workspaces);
  const missing = accepted.flatMap((e) => opts.workspaces.map((w) => jobId(e.id, w.id))).filter((id) => !snap.done.has(id));
  if (missing.length > 0) {
    opts.log?.(`${opts.scenario}: ${missing.length} jobs without their outcome, e.g. ${missing.slice(0, 5).join(", ")}`);
    // Where the first of them stopped (not routed, not queued, not delivered, or delivered without its activity row).
    const first = accepted.find((e) => opts.workspaces.some((w) => !snap.done.has(jobId(e.id, w.id))));
    if (first && opts.log) await describeEvent(system, first, "unfinished", opts).then(opts.log);
  }

  let processed = 0;
  const latencies: number[] = [];
  let slowest: { event: SentEvent; ms: number } | undefined;
  let recoveredAt = opts.faultEnd ?? 0;
  for (const e of accepted) {
    const times = opts.workspaces.map((w) => snap.done.get(jobId(e.id, w.id)));
    if (times.some((t) => t === undefined)) continue;
    processed++;
    const doneAt = Math.max(...(times as number[]));
    const inWindow = opts.faultStart === undefined || (e.firstAt >= opts.faultStart && e.firstAt <= (opts.faultEnd ?? Infinity));
    if (inWindow) latencies.push(...(times as number[]).map((t) => t - e.firstAt));
    if (!slowest || doneAt - e.firstAt > slowest.ms) slowest = { event: e, ms: doneAt - e.firstAt };
    if (opts.faultEnd !== undefined && e.firstAt <= opts.faultEnd) recoveredAt = Math.max(recoveredAt, doneAt);
  }

  if (slowest && opts.log) await describeEvent(system, slowest.event, "slowest", opts).then(opts.log);
  return {
    scenario: opts.scenario,
    sent: all.length,
    accepted: accepted.length,
    refusals: all.reduce((n, e) => n + e.refusals, 0),
    givenUp: all.filter((e) => e.state === "given-up").length,
    processed,
    lost: accepted.length - processed,
    duplicateEffects: await duplicateEffects(system),
    duplicateDeliveries: duplicateDeliveries(system, accepted, opts.workspaces),
    badSignatures: accepted.reduce((n, e) => n + workspaces(opts).reduce((m, w) => m + system.deliveries(jobId(e.id, w)).filter((d) => !d.validSignature).length, 0), 0),
    p99LatencyMs: Math.round(percentile(latencies, 99)),
    recoveryMs: opts.faultEnd === undefined ? 0 : Math.max(0, recoveredAt - opts.faultEnd),
    violations: [],
    extra: {},
  };
}

async function snapshot(system: ChaosSystem, accepted: SentEvent[], workspaces: WorkspaceExpectation[]): Promise<Snapshot> {
  const activity = new Set(
    (await system.db.query<{ job: string }>(`SELECT event_id || ':' || workspace_id AS job FROM workspace_activity`)).map((r) => r.job),
  );
  const needsDlq = workspaces.some((w) => w.expect !== "delivered");
  const dlq = new Map<string, number>();
  if (needsDlq) {
    const rows = await system.db.query<{ job_id: string; at: Date }>(`SELECT job_id, created_at AS at FROM dead_letter_queue WHERE job_id IS NOT NULL`);
    for (const r of rows) dlq.set(r.job_id, r.at.getTime());
  }
  const done = new Map<string, number>();
  for (const e of accepted) {
    for (const w of workspaces) {
      const id = jobId(e.id, w.id);
      if (!activity.has(id)) continue;
      const delivered = () => system.deliveries(id).find((d) => d.status >= 200 && d.status < 300 && d.path === `/${w.id}`)?.at;
      const at = w.expect === "delivered" ? delivered() : w.expect === "dead-lettered" ? dlq.get(id) : (delivered() ?? dlq.get(id));
      if (at !== undefined) done.set(id, at);
    }
  }
  return { done };
}

/**
 * Effects applied twice, from PostgreSQL: daily activity counted more often than there are activity rows, a job
 * id projected under two JOBS sequences (published twice), a job id dead-lettered more than once.
 */
async function duplicateEffects(system: ChaosSystem): Promise<number> {
  const [activity] = await system.db.query<{ extra: string }>(`
    SELECT coalesce(sum(greatest(d.counted - a.rows, 0)), 0) AS extra
    FROM (SELECT workspace_id, sum(event_count) AS counted FROM workspace_activity_daily GROUP BY workspace_id) d
    JOIN (SELECT workspace_id, count(*) AS rows FROM workspace_activity GROUP BY workspace_id) a USING (workspace_id)`);
  const [jobs] = await system.db.query<{ extra: string }>(`
    SELECT coalesce(sum(n - 1), 0) AS extra FROM (SELECT count(*) AS n FROM background_jobs WHERE id IS NOT NULL AND id NOT LIKE '#%' GROUP BY id HAVING count(*) > 1) t`);
  const [dlq] = await system.db.query<{ extra: string }>(`
    SELECT coalesce(sum(n - 1), 0) AS extra FROM (SELECT count(*) AS n FROM dead_letter_queue WHERE job_id IS NOT NULL GROUP BY job_id HAVING count(*) > 1) t`);
  return Number(activity!.extra) + Number(jobs!.extra) + Number(dlq!.extra);
}

/** 2xx answers to one job beyond its first: the worker delivered again (e.g. it died before acknowledging). */
function duplicateDeliveries(system: ChaosSystem, accepted: SentEvent[], workspaces: WorkspaceExpectation[]): number {
  let extra = 0;
  for (const e of accepted) {
    for (const w of workspaces) {
      const ok = system.deliveries(jobId(e.id, w.id)).filter((d) => d.status >= 200 && d.status < 300).length;
      if (ok > 1) extra += ok - 1;
    }
  }
  return extra;
}

/** Where an event spent its time: accepted, routed, each job queued, started, delivered and its activity recorded. */
async function describeEvent(system: ChaosSystem, e: SentEvent, label: string, opts: AccountOptions): Promise<string> {
  const at = (t: number | Date | null | undefined) => (t == null ? "-" : `+${((new Date(t).getTime() - e.firstAt) / 1000).toFixed(1)}s`);
  const [routed] = await system.db.query<{ routed_at: Date; job_count: number }>("SELECT routed_at, job_count FROM routed_events WHERE event_id = $1", [e.id]);
  const jobs = await system.db.query<{ id: string; created_at: Date; started_at: Date | null; attempts: number }>(
    "SELECT id, created_at, started_at, attempts FROM background_jobs WHERE event_id = $1",
    [e.id],
  );
  const activity = new Set((await system.db.query<{ workspace_id: string }>("SELECT workspace_id FROM workspace_activity WHERE event_id = $1", [e.id])).map((r) => r.workspace_id));
  const perJob = opts.workspaces.map((w) => {
    const j = jobs.find((x) => x.id === jobId(e.id, w.id));
    const d = system.deliveries(jobId(e.id, w.id)).map((x) => `${at(x.at)}/${x.status}`);
    return `${w.id}: queued ${at(j?.created_at)} started ${at(j?.started_at)} attempts ${j?.attempts ?? "-"} deliveries ${d.join(",") || "-"} activity ${activity.has(w.id) ? "yes" : "no"}`;
  });
  const routing = routed ? `routed ${at(routed.routed_at)} to ${routed.job_count} jobs` : "routed -";
  return `${opts.scenario}: ${label} ${e.id}: ${e.attempts} sends (last ${e.lastOutcome}), accepted ${at(e.acceptedAt)}, ${routing}; ${perJob.join("; ")}`;
}
