// `npm run soak -- --minutes N`: Hookstream's four services as real processes (bench/systems/hookstream.mjs) under a
// constant load for N minutes, watching for memory that keeps growing.
//   1. capacity: signed webhooks as fast as 32 connections take them for --capacity-seconds, then the drain; the
//      end-to-end rate (jobs delivered per second) is the capacity (or give --rate);
//   2. soak: --load-factor (0.5) of it, paced, each webhook to one of --workspaces workspaces; every
//      --sample-seconds each service's RSS, heap and event-loop delay (its /metrics: prom-client's default
//      metrics), nats-server's RSS (/proc), the 202 latency and the end-to-end latency (sent → delivered) are sampled;
//   3. verdict: after --warmup-minutes, the robust (Theil–Sen) trend of each service's RSS, and of its heap's floor
//      minute by minute (what garbage collection leaves), must not add up to more than --max-growth-mb over the run;
//      every accepted webhook must be delivered.
// Writes samples.csv, chart.svg (memory and latency over time) and summary.json to --out (default .soak/<time>/).
//
//   node bench/soak.mjs [--minutes 10] [--rate R] [--capacity-seconds 15] [--load-factor 0.5] [--sample-seconds 5]
//        [--warmup-minutes min(2, minutes/4)] [--max-growth-mb 32] [--workspaces 100] [--out DIR] [--no-build]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { dropOpenDatabases } from "./lib/infra.mjs";
import { freePort, killAllNow, memoryOf, sleep, start, stop } from "./lib/procs.mjs";
import { GITHUB_SECRET, githubSignature, secretKey, verifyStandard, workspaceSecret } from "./lib/signing.mjs";
import { pullRequestBody } from "./lib/payload.mjs";
import { svgChart } from "./lib/svg-chart.mjs";
import trend from "./lib/trend.cjs";
import { startHookstream } from "./systems/hookstream.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: opt } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    rate: { type: "string" },
    "capacity-seconds": { type: "string", default: "15" },
    "load-factor": { type: "string", default: "0.5" },
    "sample-seconds": { type: "string", default: "5" },
    "warmup-minutes": { type: "string" },
    "max-growth-mb": { type: "string", default: "32" },
    workspaces: { type: "string", default: "100" },
    out: { type: "string" },
    "no-build": { type: "boolean", default: false },
  },
});
const MINUTES = Number(opt.minutes);
const SAMPLE_MS = Number(opt["sample-seconds"]) * 1000;
const WARMUP_MIN = opt["warmup-minutes"] !== undefined ? Number(opt["warmup-minutes"]) : Math.min(2, MINUTES / 4);
const MAX_GROWTH_MB = Number(opt["max-growth-mb"]);
const WORKSPACES = Number(opt.workspaces);
const OUT = opt.out ?? join(root, ".soak", new Date().toISOString().replace(/[:.]/g, "-"));
const SERVICES = ["ingress", "router", "workspace-worker", "dlq-manager"];
const log = (m) => console.log(`[soak] ${m}`);
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "–");

// ---- the destination: in this process, verifying every signature, counting by webhook-id --------------------------
/** webhook-id → deliveries; ids are `<tag>.<sentAtMs>-<n>:<workspace>`, so the latency is read off the id. */
const seen = new Map();
const window = { e2eMs: [], delivered: 0, duplicates: 0, badSignatures: 0 };
const keys = new Map();
async function startDestination() {
  const port = await freePort();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const ws = decodeURIComponent(req.url.slice("/hook/".length));
      let key = keys.get(ws);
      if (!key) keys.set(ws, (key = secretKey(workspaceSecret(ws))));
      const id = String(req.headers["webhook-id"]);
      if (!verifyStandard(key, req.headers, Buffer.concat(chunks).toString())) window.badSignatures++;
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (n > 1) window.duplicates++;
      else {
        window.delivered++;
        const sentAt = Number(/\.(\d+)-/.exec(id)?.[1]);
        if (sentAt) window.e2eMs.push(Date.now() - sentAt);
      }
      res.writeHead(200, { "content-length": "0" }).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${port}`, close: () => (server.closeAllConnections(), new Promise((r) => server.close(r))) };
}

// ---- the sender: signed GitHub webhooks, each to one workspace's repository ---------------------------------------
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const bodies = Array.from({ length: WORKSPACES }, (_, i) => {
  const body = pullRequestBody(`soak/repo-${i}`, i);
  return { body, headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "x-github-event": "pull_request", "x-hub-signature-256": githubSignature(GITHUB_SECRET, body) } };
});
const sent = { total: 0, accepted: 0, refused: 0, errors: 0, latencyMs: [], inFlight: 0, skipped: 0 };
let sequence = 0;

function send(url, tag) {
  const n = sequence++;
  const b = bodies[n % WORKSPACES];
  const t0 = Date.now();
  sent.total++;
  sent.inFlight++;
  return new Promise((resolve) => {
    const req = request(url, { method: "POST", agent, headers: { ...b.headers, "x-github-delivery": `${tag}.${t0}-${n}` } }, (res) => {
      res.resume();
      res.on("end", () => {
        sent.inFlight--;
        if (res.statusCode === 202) {
          sent.accepted++;
          sent.latencyMs.push(Date.now() - t0);
        } else sent.refused++;
        resolve();
      });
    });
    req.on("error", () => {
      sent.inFlight--;
      sent.errors++;
      resolve();
    });
    req.end(b.body);
  });
}

/** As fast as `connections` concurrent senders go, for `ms`. */
async function flood(url, tag, ms, connections = 32) {
  const until = Date.now() + ms;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < until) await send(url, tag);
  }));
}

/** `rate` a second, paced every 10 ms, until `stopped()`; never more than 512 in flight (the rest is counted as skipped). */
function paced(url, tag, rate, stopped) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let due = 0;
    const timer = setInterval(() => {
      if (stopped()) return void (clearInterval(timer), resolve());
      const target = Math.floor(((Date.now() - t0) / 1000) * rate);
      for (; due < target; due++) {
        if (sent.inFlight >= 512) sent.skipped++;
        else void send(url, tag);
      }
    }, 10);
  });
}

const delivered = () => seen.size;
async function drain(expected, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (delivered() < expected && Date.now() < until) await sleep(200);
  return delivered();
}

// ---- samples ------------------------------------------------------------------------------------------------------
const gauge = (text, name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
async function serviceFigures(url) {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(4000) })).text();
  return {
    rssMb: gauge(text, "hookstream_process_resident_memory_bytes") / 2 ** 20,
    heapMb: gauge(text, "hookstream_nodejs_heap_size_used_bytes") / 2 ** 20,
    loopP99Ms: gauge(text, "hookstream_nodejs_eventloop_lag_p99_seconds") * 1000,
  };
}

function takeWindow() {
  const w = {
    acceptedLatencyP50: trend.quantile(sent.latencyMs, 0.5),
    acceptedLatencyP99: trend.quantile(sent.latencyMs, 0.99),
    e2eP50: trend.quantile(window.e2eMs, 0.5),
    e2eP99: trend.quantile(window.e2eMs, 0.99),
    delivered: window.delivered,
  };
  sent.latencyMs = [];
  window.e2eMs = [];
  window.delivered = 0;
  return w;
}

// ---- the run ------------------------------------------------------------------------------------------------------
const tmp = mkdtempSync(join(tmpdir(), "hookstream-soak-"));
const logDir = join(tmp, "logs");
mkdirSync(logDir);
let system;
let destination;
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    agent.destroy();
    await system?.stop().catch((e) => console.error(`[soak] stopping: ${e.message}`));
    await destination?.close();
    await dropOpenDatabases();
    // The services' logs stay for a failed run.
    if (process.exitCode) log(`logs kept in ${logDir}`);
    else rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}
process.on("SIGINT", () => cleanup().finally(() => process.exit(130)));
process.on("exit", killAllNow);

async function main() {
  mkdirSync(OUT, { recursive: true });
  if (!opt["no-build"]) {
    log("building (node scripts/build.mjs)");
    const build = start("build", process.execPath, [join(root, "scripts/build.mjs")], { logDir, cwd: root });
    if ((await build.exited) !== 0) throw new Error(`build failed:\n${build.tail()}`);
  }
  destination = await startDestination();
  system = await startHookstream({ root, tmp, logDir, destinationsUrl: destination.url, concurrency: 32 });
  await system.addSubscriptions(Array.from({ length: WORKSPACES }, (_, i) => ({ workspaceId: `soak-${i}`, resource: `soak/repo-${i}` })));
  const url = system.ingestUrl;
  log(`services up; logs in ${logDir}`);

  let rate = Number(opt.rate);
  let capacity;
  if (!opt.rate) {
    const ms = Number(opt["capacity-seconds"]) * 1000;
    const t0 = Date.now();
    await flood(url, "cap", ms);
    const got = await drain(sent.accepted, 120_000);
    const lastMs = Date.now() - t0;
    capacity = { acceptedPerS: (sent.accepted / ms) * 1000, deliveredPerS: (got / lastMs) * 1000 };
    rate = Math.max(1, Math.round(Math.min(capacity.acceptedPerS, capacity.deliveredPerS) * Number(opt["load-factor"])));
    log(`capacity: ${fmt(capacity.acceptedPerS)} webhooks/s accepted, ${fmt(capacity.deliveredPerS)} jobs/s delivered end to end → soak at ${rate}/s`);
  }
  const base = { accepted: sent.accepted, delivered: delivered() };
  takeWindow();

  const samples = [];
  const t0 = Date.now();
  const durationMs = MINUTES * 60_000;
  const load = paced(url, "soak", rate, () => Date.now() - t0 >= durationMs);
  let lastReport = 0;
  while (Date.now() - t0 < durationMs) {
    await sleep(SAMPLE_MS - ((Date.now() - t0) % SAMPLE_MS));
    const tMin = (Date.now() - t0) / 60_000;
    const row = { tMin, ...takeWindow(), backlog: sent.accepted - base.accepted - (delivered() - base.delivered), load1: loadavg()[0] };
    for (const s of SERVICES) {
      const f = await serviceFigures(system.metricsUrls[s]).catch(() => ({ rssMb: NaN, heapMb: NaN, loopP99Ms: NaN }));
      row[`${s}.rssMb`] = f.rssMb;
      row[`${s}.heapMb`] = f.heapMb;
      row[`${s}.loopP99Ms`] = f.loopP99Ms;
    }
    row["nats-server.rssMb"] = memoryOf(system.nats.proc.pid).rss / 1024;
    samples.push(row);
    if (tMin - lastReport >= 1 || samples.length === 1) {
      lastReport = Math.floor(tMin);
      log(`${fmt(tMin, 1)} min: 202 p99 ${fmt(row.acceptedLatencyP99)} ms, end-to-end p99 ${fmt(row.e2eP99)} ms, backlog ${row.backlog}, RSS MB ${SERVICES.map((s) => `${s} ${fmt(row[`${s}.rssMb`])}`).join(", ")}`);
    }
  }
  await load;
  const expected = sent.accepted;
  const got = await drain(expected, 120_000);

  // Verdict: memory after warm-up, and nothing accepted left undelivered.
  const after = samples.filter((r) => r.tMin >= WARMUP_MIN);
  const verdicts = {};
  const points = (key) => after.map((r) => ({ x: r.tMin, y: r[key] })).filter((p) => Number.isFinite(p.y));
  for (const s of SERVICES) {
    verdicts[`${s}.rssMb`] = trend.growthVerdict(points(`${s}.rssMb`), { maxGrowth: MAX_GROWTH_MB });
    // The heap's floor minute by minute (what the collections leave), not its sawtooth.
    verdicts[`${s}.heapMb`] = trend.growthVerdict(trend.lowerEnvelope(points(`${s}.heapMb`), 1), { maxGrowth: MAX_GROWTH_MB, minPoints: 3 });
  }
  const lost = expected - got;
  const problems = [
    ...Object.entries(verdicts).filter(([, v]) => !v.ok).map(([k, v]) => `${k}: ${v.reason}`),
    ...(lost > 0 ? [`${lost} accepted webhooks not delivered within 2 minutes of the end`] : []),
    ...(window.badSignatures > 0 ? [`${window.badSignatures} deliveries with a bad signature`] : []),
  ];

  const columns = Object.keys(samples[0] ?? {});
  writeFileSync(join(OUT, "samples.csv"), [columns.join(","), ...samples.map((r) => columns.map((c) => (Number.isFinite(r[c]) ? Number(r[c].toFixed(3)) : "")).join(","))].join("\n") + "\n");
  const series = (key, name, dashed) => ({ name, dashed, points: samples.map((r) => ({ x: r.tMin, y: r[key] })) });
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  writeFileSync(
    join(OUT, "chart.svg"),
    svgChart({
      caption: `npm run soak -- --minutes ${MINUTES}: ${rate} webhooks/s for ${MINUTES} min, ${date} UTC (grey: warm-up, not judged)`,
      panels: [
        { title: "Memory (MB): RSS solid, V8 heap used dashed", yLabel: "MB", xLabel: "minutes", shade: [0, WARMUP_MIN], series: [...SERVICES.map((s) => series(`${s}.rssMb`, `${s} RSS`)), series("nats-server.rssMb", "nats-server RSS"), ...SERVICES.map((s) => series(`${s}.heapMb`, `${s} heap`, true))] },
        { title: "Latency (ms)", yLabel: "ms", xLabel: "minutes", shade: [0, WARMUP_MIN], series: [series("acceptedLatencyP99", "202 p99"), series("e2eP50", "end-to-end p50"), series("e2eP99", "end-to-end p99"), ...SERVICES.map((s) => series(`${s}.loopP99Ms`, `${s} loop p99`, true))] },
      ],
    }),
  );
  const summary = {
    date: new Date().toISOString(),
    command: `npm run soak -- ${process.argv.slice(2).join(" ")}`.trim(),
    minutes: MINUTES,
    rate,
    capacity,
    sent: sent.total,
    accepted: expected,
    refused: sent.refused,
    errors: sent.errors,
    skipped: sent.skipped,
    delivered: got,
    lost,
    duplicateDeliveries: window.duplicates,
    acceptedLatencyP99Ms: trend.median(after.map((r) => r.acceptedLatencyP99)),
    e2eP99Ms: trend.median(after.map((r) => r.e2eP99)),
    memory: Object.fromEntries(Object.entries(verdicts).map(([k, v]) => [k, { growthMb: Number(v.growth.toFixed(1)), slopeMbPerMin: Number(v.slope.toFixed(3)), median: Number(trend.median(after.map((r) => r[k])).toFixed(1)) }])),
    problems,
  };
  writeFileSync(join(OUT, "summary.json"), JSON.stringify(summary, null, 2) + "\n");

  log(`${summary.sent} sent, ${summary.accepted} accepted, ${summary.refused} refused, ${summary.errors} errors, ${summary.skipped} skipped; ${got} delivered, ${lost} lost, ${summary.duplicateDeliveries} duplicate deliveries`);
  log(`median over the judged windows: 202 p99 ${fmt(summary.acceptedLatencyP99Ms)} ms, end-to-end p99 ${fmt(summary.e2eP99Ms)} ms`);
  console.log("service            RSS median  RSS trend      heap median  heap trend   (MB; trend = Theil–Sen growth over the judged run, heap: of its floor per minute)");
  for (const s of SERVICES) {
    const r = summary.memory[`${s}.rssMb`];
    const h = summary.memory[`${s}.heapMb`];
    console.log(`${s.padEnd(18)} ${fmt(r.median, 0).padStart(10)}  ${fmt(r.growthMb, 1).padStart(9)}  ${fmt(h.median, 0).padStart(11)}  ${fmt(h.growthMb, 1).padStart(10)}`);
  }
  log(`samples: ${relative(process.cwd(), join(OUT, "samples.csv"))}, chart: ${relative(process.cwd(), join(OUT, "chart.svg"))}`);
  if (problems.length > 0) {
    log(`FAILED:\n  ${problems.join("\n  ")}`);
    process.exitCode = 1;
  } else log("passed: memory flat after warm-up, every accepted webhook delivered");
}

main()
  .catch((e) => {
    console.error(`[soak] ${e.stack ?? e.message}`);
    process.exitCode = 1;
  })
  .finally(cleanup);
