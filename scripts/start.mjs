// `npm start`: checks NATS and PostgreSQL, builds, provisions (streams, consumers, migrations), then runs the
// four services with their output prefixed. Ctrl-C (or SIGTERM) stops them gracefully.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "./build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env };
env.NATS_URL ??= "nats://127.0.0.1:4222";
env.DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/hookstream";
// Development defaults only: a real deployment sets its own (the services refuse to start without them).
const devDefaults = { ADMIN_TOKEN: "dev-admin-token", GITHUB_WEBHOOK_SECRET: "dev-github-secret" };
for (const [k, v] of Object.entries(devDefaults)) {
  if (!env[k]) {
    env[k] = v;
    console.log(`[start] ${k} is not set: using the development value "${v}"`);
  }
}

// A development encryption key, generated once and kept (gitignored) so secrets stored earlier still decrypt.
if (!env.HOOKSTREAM_ENCRYPTION_KEY) {
  const file = join(root, ".hookstream", "dev-encryption-key");
  const created = !existsSync(file);
  if (created) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
  }
  env.HOOKSTREAM_ENCRYPTION_KEY = readFileSync(file, "utf8").trim();
  console.log(`[start] HOOKSTREAM_ENCRYPTION_KEY is not set: using the development key ${created ? "just generated into" : "kept in"} ${file.slice(root.length + 1)}`);
}

const SERVICES = [
  { name: "ingress", port: env.INGRESS_PORT ?? "3000" },
  { name: "router", port: env.ROUTER_PORT ?? "3001" },
  { name: "workspace-worker", port: env.WORKER_PORT ?? "3002" },
  { name: "dlq-manager", port: env.DLQ_PORT ?? "3003" },
];

function reachable(url, fallbackPort) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(u.port || fallbackPort), u.hostname);
    s.setTimeout(2000);
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
    s.once("timeout", () => (s.destroy(), resolve(false)));
  });
}

const missing = [];
// NATS_URL may list a cluster's servers: one reachable is enough to start.
if (!(await Promise.all(env.NATS_URL.split(",").map((u) => reachable(u.trim(), 4222)))).some(Boolean))
  missing.push(`NATS with JetStream is not reachable at ${env.NATS_URL}. Start one, e.g.:\n    nats-server -js -a 127.0.0.1 -p 4222 -sd /var/lib/nats-server\n  or set NATS_URL.`);
if (!(await reachable(env.DATABASE_URL, 5432)))
  missing.push(`PostgreSQL is not reachable at ${new URL(env.DATABASE_URL).host}. Start it, e.g.:\n    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n  or set DATABASE_URL.`);
if (missing.length) {
  for (const m of missing) console.error(`[start] ${m}`);
  process.exit(1);
}

await build();
const provisioned = spawnSync(process.execPath, [join(root, "dist/scripts/provision.js")], { env, stdio: "inherit" });
if (provisioned.status !== 0) process.exit(provisioned.status ?? 1);

const children = new Map();
let stopping = false;

function prefix(name, stream, out) {
  let rest = "";
  stream.on("data", (chunk) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop();
    for (const line of lines) out.write(`[${name}] ${line}\n`);
  });
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill("SIGTERM");
  const force = setTimeout(() => {
    for (const child of children.values()) child.kill("SIGKILL");
  }, 25_000);
  force.unref();
  process.exitCode = code;
}

for (const s of SERVICES) {
  const child = spawn(process.execPath, ["--enable-source-maps", join(root, `dist/services/${s.name}/src/main.js`)], {
    env: { ...env, OTEL_SERVICE_NAME: env.OTEL_SERVICE_NAME ?? `hookstream-${s.name}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.set(s.name, child);
  prefix(s.name, child.stdout, process.stdout);
  prefix(s.name, child.stderr, process.stderr);
  child.on("exit", (code, signal) => {
    children.delete(s.name);
    if (!stopping) {
      console.error(`[start] ${s.name} exited (${signal ?? code}); stopping the others`);
      stop(1);
    }
  });
}
console.log(
  `[start] ingress http://127.0.0.1:${SERVICES[0].port}/webhooks/github · router admin http://127.0.0.1:${SERVICES[1].port}/admin/subscriptions · ` +
    `worker http://127.0.0.1:${SERVICES[2].port}/metrics · DLQ http://127.0.0.1:${SERVICES[3].port}/admin/dlq · console http://127.0.0.1:${SERVICES[3].port}/console (token: ADMIN_TOKEN)`,
);
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
