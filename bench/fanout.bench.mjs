// `npm run bench:fanout`: Hookstream beside two reference pipelines (bench/reference-pg-skip-locked,
// bench/reference-bullmq), in one run on this machine, against the same local destinations (bench/destinations.mjs,
// which verify every signature and count deliveries by webhook-id):
//   (i)  one signed GitHub webhook fanned out to 1,000 and to 10,000 workspaces: time until all delivered, jobs/s;
//   (ii) signed webhooks for 10 s on 64 connections, each to one workspace: accepted req/s, p99, delivered jobs/s
//        end to end, drain time;
// and the peak RSS of each system's processes. Each scenario runs --runs times, systems interleaved (their order
// rotates per run); medians are printed with the Hookstream / best-reference ratio.
//
//   node bench/fanout.bench.mjs [--runs 3] [--concurrency 64] [--connections 64] [--duration 10]
//        [--systems hookstream,pg-skip-locked,bullmq] [--no-build] [--json results.json]
//        [--claim-batch 16]  PG reference: jobs per claim (its loops = concurrency / claim batch)
//        [--env KEY=VALUE]… extra environment for Hookstream's services (e.g. --env OTEL_SDK_DISABLED=true, or
//                      --env JOB_HANDLERS_DISABLED=workspace-activity,cache-invalidation: deliveries only, like the references)
//        [--ref <git ref>]  benchmark that commit of Hookstream (exported to a temp dir) instead of the work tree
//        [--profile]   Hookstream's round trips per job and CPU profiles of its services (see docs/benchmarks.md)
import autocannon from "autocannon";
import pg from "pg";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { printProfile, summarizeProfile } from "./lib/cpuprofile.mjs";
import { dropOpenDatabases, PG_ADMIN_URL } from "./lib/infra.mjs";
import { cpuMsOf, exited, freePort, killAllNow, RssSampler, sleep, start, stop, waitFor } from "./lib/procs.mjs";
import { GITHUB_SECRET, githubSignature } from "./lib/signing.mjs";
import { pullRequestBody } from "./lib/payload.mjs";
import { startHookstream } from "./systems/hookstream.mjs";
import { startBullmq, startPgSkipLocked } from "./systems/references.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: opt } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    concurrency: { type: "string", default: "64" },
    connections: { type: "string", default: "64" },
    duration: { type: "string", default: "10" },
    systems: { type: "string", default: "hookstream,pg-skip-locked,bullmq" },
    "no-build": { type: "boolean", default: false },
    json: { type: "string" },
    profile: { type: "boolean", default: false },
    "drain-timeout": { type: "string", default: "120" },
    ref: { type: "string" },
    "claim-batch": { type: "string", default: "16" },
    env: { type: "string", multiple: true, default: [] },
  },
});
const RUNS = Number(opt.runs);
const CONCURRENCY = Number(opt.concurrency);
const CONNECTIONS = Number(opt.connections);
const DURATION_S = Number(opt.duration);
const DRAIN_TIMEOUT_MS = Number(opt["drain-timeout"]) * 1000;
const FANOUTS = [1_000, 10_000];
const INGEST_WORKSPACES = 1_000;
const STARTERS = { hookstream: startHookstream, "pg-skip-locked": startPgSkipLocked, bullmq: startBullmq };
const SHORT = { hookstream: "hs", "pg-skip-locked": "pg", bullmq: "bq" };
const wanted = opt.systems.split(",").map((s) => s.trim());
const extraEnv = Object.fromEntries(opt.env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
for (const s of wanted) if (!STARTERS[s]) throw new Error(`unknown system ${s} (known: ${Object.keys(STARTERS).join(", ")})`);

const tmp = mkdtempSync(join(tmpdir(), "hookstream-bench-"));
const logDir = join(tmp, "logs");
mkdirSync(logDir);
const profileDir = opt.profile ? join(tmp, "profiles") : undefined;
if (profileDir) mkdirSync(profileDir);
const systems = [];
const sampler = new RssSampler(200);
let destinations;
let destinationsUrl;
let adminPg;
const log = (m) => console.log(`[bench] ${m}`);

// ---- clean-up, whatever happens -------------------------------------------------------------------------------
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    sampler.stop();
    for (const s of systems.splice(0)) await s.stop().catch((e) => console.error(`[bench] stopping ${s.name}: ${e.message}`));
    if (destinations) await stop(destinations);
    await adminPg?.end().catch(() => {});
    await dropOpenDatabases();
    killAllNow();
    rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    interrupted = true;
    console.error(`\n[bench] ${signal}: stopping everything`);
    cleanup().finally(() => process.exit(130));
  });
}
process.on("exit", killAllNow);

// ---- destinations and load ------------------------------------------------------------------------------------
async function stats(tag) {
  return (await fetch(`${destinationsUrl}/stats?tag=${tag}`)).json();
}

/** Polls the destinations until `expected` distinct jobs of `tag` arrived, or nothing new came for 30 s. */
async function waitDelivered(tag, expected, sinceMs) {
  let last = -1;
  let progressAt = Date.now();
  for (;;) {
    const s = await stats(tag);
    if (s.unique >= expected) return { ...s, complete: true };
    if (s.unique !== last) [last, progressAt] = [s.unique, Date.now()];
    if (Date.now() - progressAt > 30_000 || Date.now() - sinceMs > DRAIN_TIMEOUT_MS) return { ...s, complete: false };
    await sleep(20);
  }
}

/** CPU used so far by a system's own processes and by the PostgreSQL backends serving its database. */
async function cpuSnapshot(system) {
  const own = new Map(system.processes().map((p) => [p.pid, cpuMsOf(p.pid)]));
  const names = new Map(system.processes().map((p) => [p.pid, p.name]));
  const { rows } = await adminPg.query("SELECT pid FROM pg_stat_activity WHERE datname = $1", [system.db.name]);
  const postgres = new Map(rows.map((r) => [r.pid, cpuMsOf(r.pid)]));
  return { own, names, postgres, destinations: cpuMsOf(destinations.pid) };
}

/** CPU ms per job between two snapshots (a backend that closed in between is not counted: pools keep theirs). */
function cpuPerJob(before, after, jobs) {
  const sum = (a, b) => [...b].reduce((n, [pid, ms]) => n + ms - (a.get(pid) ?? 0), 0);
  const byProcess = Object.fromEntries([...after.own].map(([pid, ms]) => [after.names.get(pid), Math.round(((ms - (before.own.get(pid) ?? 0)) / jobs) * 1000) / 1000]));
  return { own: sum(before.own, after.own) / jobs, byProcess, postgres: sum(before.postgres, after.postgres) / jobs, destinations: (after.destinations - before.destinations) / jobs };
}

const signed = (repo, n = 1) => {
  const body = pullRequestBody(repo, n);
  return { body, headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-hub-signature-256": githubSignature(GITHUB_SECRET, body), "user-agent": "GitHub-Hookshot/bench" } };
};
const fanoutBodies = Object.fromEntries(FANOUTS.map((n) => [n, signed(`bench/fanout-${n}`)]));
const ingestBodies = Array.from({ length: INGEST_WORKSPACES }, (_, i) => signed(`bench/repo-${i}`, i + 1));

/** (i) One event to `n` workspaces: from the POST until the destinations have every job. */
async function fanout(system, n, tag) {
  const { body, headers } = fanoutBodies[n];
  const load = loadavg()[0];
  const cpu0 = await cpuSnapshot(system);
  const conn0 = (await stats(tag)).connections;
  const t0 = Date.now();
  const res = await fetch(system.ingestUrl, { method: "POST", headers: { ...headers, "x-github-delivery": `${tag}.0` }, body });
  const acceptedMs = Date.now() - t0;
  if (res.status !== 202) throw new Error(`${system.label} answered ${res.status} to the fan-out webhook: ${await res.text()}`);
  const s = await waitDelivered(tag, n, t0);
  const cpu = cpuPerJob(cpu0, await cpuSnapshot(system), s.unique);
  const ms = s.lastNewAt - t0;
  return { n, ms, jobsPerS: (s.unique / ms) * 1000, acceptedMs, delivered: s.unique, complete: s.complete, cpu, load, newConnections: s.connections - conn0 };
}

/** (ii) Signed webhooks on `connections` connections for `seconds`, each to one workspace, then the drain. */
async function ingest(system, tag, { connections = CONNECTIONS, seconds = DURATION_S } = {}) {
  let i = 0;
  const url = new URL(system.ingestUrl);
  const load = loadavg()[0];
  const cpu0 = await cpuSnapshot(system);
  const conn0 = (await stats(tag)).connections;
  const t0 = Date.now();
  const r = await autocannon({
    url: url.origin,
    connections,
    duration: seconds,
    requests: [
      {
        method: "POST",
        path: url.pathname,
        setupRequest: (req) => {
          const n = i++;
          const b = ingestBodies[n % ingestBodies.length];
          return { ...req, headers: { ...b.headers, "x-github-delivery": `${tag}.${n}` }, body: b.body };
        },
      },
    ],
  });
  const tEnd = Date.now();
  const accepted = r["2xx"];
  const s = await waitDelivered(tag, accepted, tEnd);
  const cpu = cpuPerJob(cpu0, await cpuSnapshot(system), s.unique);
  return {
    cpu,
    load,
    newConnections: s.connections - conn0,
    sent: r.requests.total,
    accepted,
    rejected: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    acceptedPerS: accepted / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    delivered: s.unique,
    deliveredPerS: (s.unique / (s.lastNewAt - t0)) * 1000,
    drainMs: Math.max(0, s.lastNewAt - tEnd),
    complete: s.complete,
  };
}

// ---- the run ---------------------------------------------------------------------------------------------------
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "–");
const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);
const cpuText = (c) =>
  `${fmt(c.own, 2)} + ${fmt(c.postgres, 2)} PG ms (${Object.entries(c.byProcess)
    .map(([name, ms]) => `${name} ${fmt(ms, 2)}`)
    .join(", ")}; destinations ${fmt(c.destinations, 2)})`;

/** The Hookstream tree to run: the work tree, or a commit exported next to it (sharing its node_modules). */
async function hookstreamTree() {
  if (!opt.ref) return root;
  const tree = join(tmp, "hookstream-tree");
  mkdirSync(tree);
  const exported = start("git-archive", "sh", ["-c", `git -C "$ROOT" archive "$REF" | tar -x -C "$TREE"`], { logDir, env: { ROOT: root, REF: opt.ref, TREE: tree } });
  if ((await exported.exited) !== 0) throw new Error(`cannot export ${opt.ref}:\n${exported.tail()}`);
  symlinkSync(join(root, "node_modules"), join(tree, "node_modules"));
  return tree;
}

async function setUp() {
  const hsRoot = wanted.includes("hookstream") ? await hookstreamTree() : root;
  if (wanted.includes("hookstream") && (!opt["no-build"] || opt.ref)) {
    log(`building Hookstream${opt.ref ? ` at ${opt.ref}` : ""} (node scripts/build.mjs)`);
    const build = start("build", process.execPath, [join(hsRoot, "scripts/build.mjs")], { logDir, cwd: hsRoot });
    if ((await build.exited) !== 0) throw new Error(`build failed:\n${build.tail()}`);
  }
  adminPg = new pg.Client({ connectionString: PG_ADMIN_URL });
  await adminPg.connect();
  const port = await freePort();
  destinations = start("destinations", process.execPath, [join(root, "bench/destinations.mjs"), String(port)], { logDir });
  destinationsUrl = `http://127.0.0.1:${port}`;
  await waitFor(() => fetch(`${destinationsUrl}/stats`).then((r) => r.ok), "the destinations");

  const subs = {
    fanout1000: Array.from({ length: 1000 }, (_, i) => ({ workspaceId: `fo1k-${i}`, resource: "bench/fanout-1000" })),
    fanout10000: Array.from({ length: 10_000 }, (_, i) => ({ workspaceId: `fo10k-${i}`, resource: "bench/fanout-10000" })),
    ingest: Array.from({ length: INGEST_WORKSPACES }, (_, i) => ({ workspaceId: `in-${i}`, resource: `bench/repo-${i}` })),
  };
  for (const name of wanted) {
    const t = Date.now();
    log(`starting ${name}`);
    const system = await STARTERS[name]({ root, hookstreamRoot: hsRoot, tmp, logDir, destinationsUrl, concurrency: CONCURRENCY, claimBatch: Number(opt["claim-batch"]), cpuProfileDir: profileDir, extraEnv });
    systems.push(system);
    sampler.track(name, system.processes);
    const s0 = Date.now();
    await system.addSubscriptions([...subs.fanout1000, ...subs.ingest]);
    const viaApi = Date.now() - s0;
    await system.addSubscriptions(subs.fanout10000, { bulk: true });
    log(`${name} up in ${((Date.now() - t) / 1000).toFixed(1)} s (12,000 subscriptions; 2,000 of them in ${(viaApi / 1000).toFixed(1)} s${name === "hookstream" ? " through POST /admin/subscriptions, the 10,000-workspace set inserted into the table" : ""})`);
    // Warm-up, not measured: connections opened, code paths compiled.
    await fanout(system, 1000, `${SHORT[name]}-warm1`);
    await ingest(system, `${SHORT[name]}-warm2`, { connections: 16, seconds: 2 });
  }
}

async function measure() {
  const results = Object.fromEntries(systems.map((s) => [s.name, { fanout1000: [], fanout10000: [], ingest: [], rssAfterRunMb: [] }]));
  for (let run = 1; run <= RUNS; run++) {
    const order = rotate(systems, run - 1);
    for (const n of FANOUTS) {
      for (const s of order) {
        const r = await fanout(s, n, `${SHORT[s.name]}-fo${n}-r${run}`);
        results[s.name][`fanout${n}`].push(r);
        log(`run ${run} ${s.label.padEnd(15)} fan-out ${fmt(n).padStart(6)}: ${fmt(r.ms)} ms, ${fmt(r.jobsPerS)} jobs/s, CPU/job ${cpuText(r.cpu)}, ${r.newConnections} new connections to the destinations (load ${fmt(r.load, 1)})${r.complete ? "" : ` — INCOMPLETE (${r.delivered}/${n})`}`);
        await sleep(500);
      }
    }
    for (const s of order) {
      const r = await ingest(s, `${SHORT[s.name]}-in-r${run}`);
      results[s.name].ingest.push(r);
      log(
        `run ${run} ${s.label.padEnd(15)} ingest: ${fmt(r.acceptedPerS)} accepted/s (p99 ${fmt(r.p99Ms)} ms), ${fmt(r.deliveredPerS)} delivered jobs/s, drain ${fmt(r.drainMs)} ms, CPU/job ${cpuText(r.cpu)}, ${r.newConnections} new connections (load ${fmt(r.load, 1)})` +
          `${r.rejected || r.errors ? `, ${r.rejected} non-2xx, ${r.errors} errors` : ""}${r.complete ? "" : ` — INCOMPLETE (${r.delivered}/${r.accepted})`}`,
      );
      results[s.name].rssAfterRunMb.push(sampler.current(s.name));
      await sleep(1000);
    }
  }
  return results;
}

async function checkDeliveries() {
  const all = await (await fetch(`${destinationsUrl}/stats`)).json();
  const out = {};
  for (const s of systems) {
    const mine = Object.entries(all.tags).filter(([tag]) => tag.startsWith(`${SHORT[s.name]}-`));
    out[s.name] = {
      delivered: mine.reduce((n, [, t]) => n + t.unique, 0),
      duplicates: mine.reduce((n, [, t]) => n + t.duplicates, 0),
      badSignatures: mine.reduce((n, [, t]) => n + t.badSignatures, 0),
    };
  }
  return { bySystem: out, unknown: all.unknown };
}

function report(results, deliveries) {
  const row = (cells) => `| ${cells.join(" | ")} |`;
  const names = systems.map((s) => s.name);
  const label = Object.fromEntries(systems.map((s) => [s.name, s.label]));
  const med = (name, key, field) => median(results[name][key].map((r) => r[field]));
  const refs = names.filter((n) => n !== "hookstream");
  const ratio = (key, field, higherIsBetter = true) => {
    if (!names.includes("hookstream") || refs.length === 0) return "";
    const best = higherIsBetter ? Math.max(...refs.map((n) => med(n, key, field))) : Math.min(...refs.map((n) => med(n, key, field)));
    const hs = med("hookstream", key, field);
    return `${fmt(higherIsBetter ? hs / best : best / hs, 2)}×`;
  };
  const lines = [];
  lines.push(`Medians of ${RUNS} run(s); concurrency budget ${CONCURRENCY} deliveries in flight per system; ingest load ${CONNECTIONS} connections × ${DURATION_S} s.`);
  if (names.includes("hookstream")) {
    // The references only deliver; Hookstream also records activity and purges caches unless told otherwise.
    const disabled = extraEnv.JOB_HANDLERS_DISABLED;
    lines.push(`Hookstream's job handlers: ${disabled ? `all but ${disabled} (JOB_HANDLERS_DISABLED)` : "all of them (activity rows and cache purges besides the deliveries the references make)"}.`);
  }
  if (names.includes("hookstream") && refs.length) lines.push("Ratio: Hookstream ÷ the better reference for rates, the better reference ÷ Hookstream for times; above 1 means Hookstream is ahead.");
  lines.push("");
  lines.push(row(["scenario", "metric", ...names.map((n) => label[n]), ...(names.includes("hookstream") && refs.length ? ["Hookstream / best reference"] : [])]));
  lines.push(row(["---", "---", ...names.map(() => "---:"), ...(names.includes("hookstream") && refs.length ? ["---:"] : [])]));
  const cpuCell = (name, key) => `${fmt(median(results[name][key].map((r) => r.cpu.own)), 2)} + ${fmt(median(results[name][key].map((r) => r.cpu.postgres)), 2)}`;
  const blank = names.includes("hookstream") && refs.length ? [""] : [];
  for (const n of FANOUTS) {
    lines.push(row([`fan-out 1 → ${fmt(n)}`, "time until all delivered (ms)", ...names.map((x) => fmt(med(x, `fanout${n}`, "ms"))), ratio(`fanout${n}`, "ms", false)].filter((c) => c !== "")));
    lines.push(row([`fan-out 1 → ${fmt(n)}`, "**jobs/s**", ...names.map((x) => fmt(med(x, `fanout${n}`, "jobsPerS"))), ratio(`fanout${n}`, "jobsPerS")].filter((c) => c !== "")));
    lines.push(row([`fan-out 1 → ${fmt(n)}`, "202 answered after (ms)", ...names.map((x) => fmt(med(x, `fanout${n}`, "acceptedMs"))), ...blank]));
    lines.push(row([`fan-out 1 → ${fmt(n)}`, "CPU ms per job: own processes + PostgreSQL", ...names.map((x) => cpuCell(x, `fanout${n}`)), ...blank]));
  }
  const ing = [
    ["accepted req/s", "acceptedPerS", 0, true],
    ["p99 latency (ms)", "p99Ms", 0, false],
    ["**delivered jobs/s end to end**", "deliveredPerS", 0, true],
    ["drain time after the load (ms)", "drainMs", 0, false],
  ];
  for (const [title, field, digits, hib] of ing) lines.push(row([`ingest ${CONNECTIONS} conn × ${DURATION_S} s`, title, ...names.map((x) => fmt(med(x, "ingest", field), digits)), ratio("ingest", field, hib)].filter((c) => c !== "")));
  lines.push(row([`ingest ${CONNECTIONS} conn × ${DURATION_S} s`, "CPU ms per job: own processes + PostgreSQL", ...names.map((x) => cpuCell(x, "ingest")), ...blank]));
  const rss = Object.fromEntries(names.map((n) => [n, sampler.report(n)]));
  lines.push(row(["all", "peak RSS, all its processes (MB)", ...names.map((n) => fmt(rss[n].peakMb)), ...blank]));
  const loads = Object.values(results).flatMap((r) => [...r.fanout1000, ...r.fanout10000, ...r.ingest].map((x) => x.load));
  lines.push("");
  lines.push(`Machine load (1-minute load average) at the start of each measurement: ${fmt(Math.min(...loads), 1)} to ${fmt(Math.max(...loads), 1)} on ${cpus().length} cores.`);
  lines.push("");
  for (const n of names) {
    const d = deliveries.bySystem[n];
    const procs = Object.entries(rss[n].hwmMb).map(([p, mb]) => `${p} ${fmt(mb)}`).join(", ");
    lines.push(`- ${label[n]}: ${fmt(d.delivered)} deliveries verified, ${d.duplicates} duplicate(s), ${d.badSignatures} bad signature(s); peak RSS per process (VmHWM, MB): ${procs}`);
  }
  if (deliveries.unknown) lines.push(`- ${deliveries.unknown} deliveries without a recognisable webhook-id`);
  console.log(`\n${lines.join("\n")}\n`);
  return rss;
}

// ---- --profile: where Hookstream's time goes ------------------------------------------------------------------
/** Counts per job (NATS messages per client connection, PostgreSQL commits) and CPU profiles of the services. */
async function profile() {
  const delta = (a, b) => {
    if (typeof a === "number") return b - a;
    return Object.fromEntries(Object.keys(b).map((k) => [k, delta(a?.[k] ?? (typeof b[k] === "number" ? 0 : {}), b[k])]));
  };
  const perJob = (d, jobs) => JSON.parse(JSON.stringify(d, (_, v) => (typeof v === "number" ? Math.round((v / jobs) * 100) / 100 : v)));
  // pg_stat_database lags: idle backends report within ~10 s (PostgreSQL 15).
  const settle = () => sleep(11_000);
  const hs = systems.find((s) => s.name === "hookstream");
  const profiled = hs ? hs.processes().filter((p) => ["ingress", "router", "workspace-worker"].includes(p.name)) : [];
  const scenarios = [
    ["fan-out 1 → 10,000", (s) => fanout(s, 10_000, `${SHORT[s.name]}-pf10k`), (r) => r.delivered],
    [`ingest ${CONNECTIONS} conn × ${DURATION_S} s`, (s) => ingest(s, `${SHORT[s.name]}-pfin`), (r) => r.delivered],
  ];
  for (const [title, run, jobsOf] of scenarios) {
    console.log(`\n== ${title}: round trips per delivered job`);
    for (const s of systems) {
      await settle();
      const before = await s.counters();
      const isHs = s === hs;
      if (isHs) for (const p of profiled) process.kill(p.pid, "SIGWINCH");
      const r = await run(s);
      if (isHs) for (const p of profiled) process.kill(p.pid, "SIGWINCH");
      await settle();
      const after = await s.counters();
      console.log(`  ${s.label}: ${fmt(jobsOf(r))} jobs — per job: ${JSON.stringify(perJob(delta(before, after), jobsOf(r)))}`);
      if (isHs) {
        for (const p of profiled) {
          const file = join(profileDir, `${p.name}.cpuprofile`);
          await waitFor(async () => existsSync(file), `the CPU profile ${file}`, 10_000);
          const kept = join(profileDir, `${p.name}-${title.split(" ")[0]}.cpuprofile`);
          renameSync(file, kept);
          printProfile(`${p.name} (${title})`, summarizeProfile(kept));
        }
      }
    }
  }
  if (hs) {
    console.log("\n== Hookstream's memory after the runs (its own /metrics)");
    for (const [name, url] of Object.entries(hs.metricsUrls)) {
      const text = await (await fetch(url)).text();
      const value = (metric) => Number(new RegExp(`^${metric}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, "m").exec(text)?.[1] ?? NaN) / 2 ** 20;
      console.log(`  ${name}: RSS ${fmt(value("hookstream_process_resident_memory_bytes"))} MB, V8 heap used ${fmt(value("hookstream_nodejs_heap_size_used_bytes"))} of ${fmt(value("hookstream_nodejs_heap_size_total_bytes"))} MB, external ${fmt(value("hookstream_nodejs_external_memory_bytes"))} MB`);
    }
  }
  const keep = join(root, "bench", ".profiles");
  mkdirSync(keep, { recursive: true });
  for (const f of readdirSync(profileDir)) copyFileSync(join(profileDir, f), join(keep, f));
  console.log(`\n[bench] CPU profiles kept in ${keep} (open them in Chrome DevTools > Performance, or speedscope)`);
}

try {
  const t0 = Date.now();
  await setUp();
  if (opt.profile) {
    await profile();
  } else {
    const results = await measure();
    const deliveries = await checkDeliveries();
    const rss = report(results, deliveries);
    if (opt.json) writeFileSync(opt.json, JSON.stringify({ at: new Date().toISOString(), runs: RUNS, concurrency: CONCURRENCY, connections: CONNECTIONS, durationS: DURATION_S, results, deliveries, rss }, null, 2));
  }
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
} catch (e) {
  if (interrupted) await new Promise(() => {}); // the signal handler cleans up and exits
  console.error(`[bench] failed: ${e.stack ?? e.message}${e.cause ? ` (${e.cause.message ?? e.cause})` : ""}`);
  for (const s of systems) for (const p of s.processes()) console.error(`--- ${p.name} (last lines)\n${p.tail(15)}`);
  for (const p of exited()) console.error(`--- ${p.name} exited (${p.child.signalCode ?? p.child.exitCode})\n${p.tail(15)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
