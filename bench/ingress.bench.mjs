// `npm run bench:ingress`: Hookstream's ingress (dist/services/ingress, as `npm start` runs it) beside a minimal
// reference receiver (bench/ingress-reference.mjs: node:http + HMAC + JetStream publish awaiting the PubAck), in one
// run, on loopback. Each side gets a fresh nats-server with the WEBHOOKS stream as provisioned, a warm-up, then a
// measured autocannon run: signed 8 KB GitHub webhooks with unique delivery ids on 64 connections. Sides alternate
// first across runs; medians and the ingress/reference throughput ratio are printed and checked against the targets
// (ratio >= 0.8, no errors, p99 < 50 ms). After each run the stream must hold every request answered 202.
//
// CPU time per accepted request is printed beside the throughput: it is what each side costs, whatever else the
// machine is running.
//
//   node bench/ingress.bench.mjs [--runs 3] [--duration 15] [--warmup 3] [--connections 64] [--no-build] [--json out.json]
//        [--profile]   CPU profile of each side's measured window, summarised (bench/lib/cpuprofile.mjs)
import autocannon from "autocannon";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "../scripts/build.mjs";
import { natsServerBinary, startNats } from "./lib/infra.mjs";
import { printProfile, summarizeProfile } from "./lib/cpuprofile.mjs";
import { cpuMsOf, freePort, httpOk, killAllNow, start, stop, waitFor } from "./lib/procs.mjs";
import { pullRequestBody } from "./lib/payload.mjs";
import { GITHUB_SECRET, githubSignature } from "./lib/signing.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: opt } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    duration: { type: "string", default: "15" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "64" },
    "no-build": { type: "boolean", default: false },
    json: { type: "string" },
    profile: { type: "boolean", default: false },
  },
});
const RUNS = Number(opt.runs);
const DURATION_S = Number(opt.duration);
const WARMUP_S = Number(opt.warmup);
const CONNECTIONS = Number(opt.connections);
const BODY_BYTES = 8 * 1024;
const TARGET = { ratio: 0.8, p99Ms: 50 };

/** A realistic pull_request body padded to exactly 8 KB, and its signature (GitHub signs the body alone). */
function eightKilobyteWebhook() {
  const base = JSON.parse(pullRequestBody("acme/api"));
  const unpadded = JSON.stringify({ ...base, padding: "" });
  const body = JSON.stringify({ ...base, padding: "x".repeat(BODY_BYTES - Buffer.byteLength(unpadded)) });
  if (Buffer.byteLength(body) !== BODY_BYTES) throw new Error("payload is not 8 KB");
  return { body, headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-hub-signature-256": githubSignature(GITHUB_SECRET, body) } };
}

/** `node -r` the profiler when profiling: it starts and stops on SIGWINCH, writing $BENCH_CPU_PROFILE. */
const profiler = (file) => (file ? { args: ["-r", join(root, "bench/lib/cpu-profiler.cjs")], env: { BENCH_CPU_PROFILE: file } } : { args: [], env: {} });

const SIDES = {
  /** The service exactly as `npm start` runs it (OpenTelemetry on, no exporter), rate limits raised past the load. */
  ingress: ({ nats, port, logDir, profile }) => {
    const p = profiler(profile);
    const env = { ...p.env, NATS_URL: nats.url, INGRESS_PORT: String(port), GITHUB_WEBHOOK_SECRET: GITHUB_SECRET, LOG_LEVEL: "warn", WEBHOOK_RATE_LIMIT_VERIFIED: "1000000/1s" };
    const proc = start("ingress", process.execPath, [...p.args, "--enable-source-maps", join(root, "dist/services/ingress/src/main.js")], { env, logDir });
    return { proc, ready: `http://127.0.0.1:${port}/readyz` };
  },
  reference: ({ nats, port, logDir, profile }) => {
    const p = profiler(profile);
    const proc = start("reference", process.execPath, [...p.args, join(root, "bench/ingress-reference.mjs"), String(port), nats.url, GITHUB_SECRET], { env: p.env, logDir });
    return { proc, ready: `http://127.0.0.1:${port}/healthz` };
  },
};

/** WEBHOOKS exactly as provisioning creates it (file storage, 2-minute duplicate window). */
async function provisionWebhooks(natsUrl) {
  const { streamConfigs, STREAMS } = createRequire(import.meta.url)(join(root, "dist/libs/contracts/src/index.js"));
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add(streamConfigs().find((s) => s.name === STREAMS.webhooks));
    return STREAMS.webhooks;
  } finally {
    await nc.close();
  }
}

async function storedMessages(natsUrl, stream) {
  const nc = await connect({ servers: natsUrl });
  try {
    return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
  } finally {
    await nc.close();
  }
}

function load(url, seconds, tag, webhook) {
  let n = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: "POST", setupRequest: (req) => ({ ...req, headers: { ...webhook.headers, "x-github-delivery": `${tag}-${n++}` }, body: webhook.body }) }],
  });
}

async function measure(side, run, tmp, webhook) {
  const dir = join(tmp, `${side}-${run}`);
  mkdirSync(dir);
  const nats = await startNats({ storeDir: join(dir, "jetstream"), logDir: dir });
  const port = await freePort();
  let proc;
  try {
    const stream = await provisionWebhooks(nats.url);
    const profile = opt.profile ? join(dir, `${side}.cpuprofile`) : undefined;
    const server = SIDES[side]({ nats, port, logDir: dir, profile });
    proc = server.proc;
    await waitFor(async () => {
      if (proc.child.exitCode !== null) throw new Error(`${side} exited:\n${proc.tail()}`);
      return httpOk(server.ready);
    }, `${side} to be ready`);
    const url = `http://127.0.0.1:${port}/webhooks/github`;
    const warm = await load(url, WARMUP_S, `warm-${side}-${run}`, webhook);
    const cpu0 = cpuMsOf(proc.pid);
    if (profile) proc.child.kill("SIGWINCH");
    const r = await load(url, DURATION_S, `${side}-${run}`, webhook);
    if (profile) proc.child.kill("SIGWINCH");
    const cpuMs = cpuMsOf(proc.pid) - cpu0;
    const stored = await storedMessages(nats.url, stream);
    const accepted = r["2xx"];
    const result = {
      side,
      run,
      acceptedPerS: accepted / r.duration,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      errors: r.errors + r.timeouts + r.non2xx,
      cpuUsPerRequest: (1000 * cpuMs) / accepted,
      accepted,
      stored: stored - warm["2xx"],
    };
    // Requests still in flight when a run ends may be stored without their 202 being counted, never the reverse.
    if (result.stored < accepted || result.stored > accepted + 2 * CONNECTIONS) throw new Error(`${side}: ${accepted} requests answered 202 but ${result.stored} events stored`);
    if (profile) {
      await waitFor(async () => existsSync(profile), `the CPU profile of ${side}`, 10_000);
      printProfile(`${side}, run ${run}`, summarizeProfile(profile, 12));
    }
    return result;
  } finally {
    if (proc) await stop(proc);
    await nats.stop();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (r) =>
  `${r.acceptedPerS.toFixed(0).padStart(6)} req/s  p50 ${String(r.p50Ms).padStart(3)} ms  p99 ${String(r.p99Ms).padStart(3)} ms  errors ${r.errors}  CPU ${r.cpuUsPerRequest.toFixed(0)} µs/request`;

async function main() {
  if (!natsServerBinary()) throw new Error("nats-server not found (set NATS_SERVER_BIN)");
  if (!opt["no-build"]) await build();
  const tmp = mkdtempSync(join(tmpdir(), "hookstream-ingress-bench-"));
  const webhook = eightKilobyteWebhook();
  const natsVersion = execFileSync(natsServerBinary(), ["--version"]).toString().trim();
  console.log(`[bench] ${CONNECTIONS} connections, ${BODY_BYTES}-byte signed GitHub webhooks, ${WARMUP_S} s warm-up + ${DURATION_S} s per side, ${RUNS} runs`);
  console.log(`[bench] ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, ${natsVersion}`);
  const results = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const order = run % 2 ? ["reference", "ingress"] : ["ingress", "reference"];
      for (const side of order) {
        const r = await measure(side, run, tmp, webhook);
        results.push(r);
        console.log(`[bench] run ${run}  ${side.padEnd(9)}  ${fmt(r)}`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const summary = Object.fromEntries(
    Object.keys(SIDES).map((side) => {
      const rs = results.filter((r) => r.side === side);
      const med = (key) => median(rs.map((r) => r[key]));
      return [side, { acceptedPerS: med("acceptedPerS"), p50Ms: med("p50Ms"), p99Ms: med("p99Ms"), cpuUsPerRequest: med("cpuUsPerRequest"), errors: rs.reduce((a, r) => a + r.errors, 0) }];
    }),
  );
  const ratio = summary.ingress.acceptedPerS / summary.reference.acceptedPerS;
  const checks = [
    [`throughput ratio ${ratio.toFixed(2)} >= ${TARGET.ratio}`, ratio >= TARGET.ratio],
    [`ingress errors ${summary.ingress.errors} = 0`, summary.ingress.errors === 0],
    [`ingress p99 ${summary.ingress.p99Ms} ms < ${TARGET.p99Ms} ms`, summary.ingress.p99Ms < TARGET.p99Ms],
  ];
  console.log(`\n[bench] medians of ${RUNS} runs`);
  console.log(`  reference  ${fmt(summary.reference)}`);
  console.log(`  ingress    ${fmt(summary.ingress)}`);
  for (const [what, ok] of checks) console.log(`  ${ok ? "met   " : "MISSED"} ${what}`);
  if (opt.json) writeFileSync(opt.json, JSON.stringify({ results, summary, ratio }, null, 2));
}

main().catch((e) => {
  console.error(`[bench] failed: ${e.stack ?? e.message}`);
  killAllNow();
  process.exit(1);
});
