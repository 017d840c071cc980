import { ALL_PROVIDERS_ENV, SECRETS } from "../../services/ingress/test/signers";
import { buildServices, type ProcessService, ServiceProcesses } from "../support/processes";
import { ADMIN_TOKEN, READ_TOKEN, TestStack } from "../support/stack";
import { type FuzzReport, runFuzz } from "./fuzz/fuzzer";
import type { Target } from "./fuzz/requests";
import { scaleConfig } from "./scale.config";
import { processFigures } from "./support/service-metrics";

/**
 * Bad input at volume: generated requests (methods, paths, headers, encodings, bodies, framing) against ingress, the
 * router's and the DLQ manager's admin APIs and the worker, all as real processes. `npm run fuzz` sends 12,000.
 */
const stack = new TestStack();
let build: ReturnType<typeof buildServices>;
let services: ServiceProcesses;
const SERVICES: Record<Target, ProcessService> = { ingress: "ingress", router: "router", dlq: "dlq-manager", worker: "workspace-worker" };
const ports = {} as Record<Target, number>;

beforeAll(async () => {
  build = buildServices();
  await stack.start(
    {
      ...ALL_PROVIDERS_ENV,
      // Refused requests would soon all be 429s: the fuzzer is one client that fails most of the time.
      WEBHOOK_RATE_LIMIT_FAILURES: "10000000/1s",
      WEBHOOK_RATE_LIMIT_VERIFIED: "10000000/1s",
      HTTP_HEADERS_TIMEOUT: "2s",
      HTTP_REQUEST_TIMEOUT: "5s",
    },
    [],
  );
  Object.assign(ports, { ingress: stack.ports.ingress, router: stack.ports.router, dlq: stack.ports.dlq, worker: stack.ports.worker });
  // The heap Node 24 sizes for itself in the chart's 384Mi containers (a 259 MB limit, measured in a cgroup): with the
  // 4 GB it takes on this machine, V8 lets garbage pile up to over 350 MB before collecting, which reads as growth.
  services = new ServiceProcesses(build.dir, { ...stack.env, NODE_OPTIONS: "--max-old-space-size=224" }, { ingress: ports.ingress, router: ports.router, "workspace-worker": ports.worker, "dlq-manager": ports.dlq });
  // One at a time: four starting at once on two busy cores can miss the readiness deadline.
  for (const s of Object.values(SERVICES)) await services.start(s);
});

afterAll(async () => {
  await services?.stopAll();
  await stack.stop();
  build?.remove();
});

const targets = Object.keys(SERVICES) as Target[];
const memory = async () => Object.fromEntries(await Promise.all(targets.map(async (t) => [t, (await processFigures(ports[t])).rssBytes] as const)));

it(`answers ${scaleConfig.FUZZ_REQUESTS} generated requests without a 5xx, a crash, a leak of internals or an unauthorised admin action`, async () => {
  const sentinel = await stack.subscribe({ workspaceId: `sentinel-${scaleConfig.FUZZ_SEED}`, resource: "fuzz-sentinel/repo" });
  // Warm up first, so the first JIT compilation and pools do not count as growth.
  await runFuzz({ ports, tokens: { admin: ADMIN_TOKEN, read: READ_TOKEN }, secrets: [], seed: 1, count: 100, concurrency: 4, timeoutMs: 5000 });
  const before = await memory();

  // In parts: a heap that grows to fit the largest bodies is not a leak; memory that keeps growing after the first part is.
  const secrets = [ADMIN_TOKEN, READ_TOKEN, stack.env.DATABASE_URL!, ...Object.values(SECRETS)];
  const parts = 4;
  const perPart = Math.ceil(scaleConfig.FUZZ_REQUESTS / parts);
  const reports: FuzzReport[] = [];
  const rss: Record<string, number>[] = [];
  for (let p = 0; p < parts; p++) {
    const count = Math.min(perPart, scaleConfig.FUZZ_REQUESTS - p * perPart);
    reports.push(await runFuzz({ ports, tokens: { admin: ADMIN_TOKEN, read: READ_TOKEN }, secrets, seed: scaleConfig.FUZZ_SEED + p * 1_000_000, count, concurrency: scaleConfig.FUZZ_CONCURRENCY, timeoutMs: 10_000 }));
    rss.push(await memory());
  }
  const report = {
    sent: reports.reduce((n, r) => n + r.sent, 0),
    durationMs: reports.reduce((n, r) => n + r.durationMs, 0),
    intruderWorkspaces: reports.reduce((n, r) => n + r.intruderWorkspaces, 0),
    failures: reports.flatMap((r) => r.failures),
    byStatus: {} as Record<string, number>,
  };
  for (const r of reports) for (const [k, n] of Object.entries(r.byStatus)) report.byStatus[k] = (report.byStatus[k] ?? 0) + n;
  const mb = (t: Target, from: Record<string, number>, to: Record<string, number>) => Math.round((to[t]! - from[t]!) / 2 ** 20);
  const growthMb = Object.fromEntries(targets.map((t) => [t, mb(t, rss[0]!, rss[parts - 1]!)]));
  process.stdout.write(
    `[fuzz] seed ${scaleConfig.FUZZ_SEED}: ${report.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s, answers ${JSON.stringify(report.byStatus)}, ` +
      `${report.intruderWorkspaces} unauthenticated bodies naming a workspace; RSS MB before, then after each part: ` +
      `${targets.map((t) => `${t} ${[before, ...rss].map((m) => Math.round(m[t]! / 2 ** 20)).join("→")}`).join(", ")}; ${report.failures.length} failures\n`,
  );

  const kinds = new Map<string, number>();
  for (const f of report.failures) {
    const kind = `${f.why}: ${f.request.split(" ").slice(0, 2).join(" ").slice(0, 60)}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  if (kinds.size > 0) process.stdout.write(`[fuzz] failures by kind:\n${[...kinds].map(([k, n]) => `  ${n} × ${k}`).join("\n")}\n`);
  expect(report.failures.slice(0, 10)).toEqual([]);
  expect(report.sent).toBe(scaleConfig.FUZZ_REQUESTS);
  for (const t of targets) {
    expect((await fetch(`http://127.0.0.1:${ports[t]}/healthz`)).status).toBe(200);
    // After the first part: what a leak would keep adding.
    expect(growthMb[t]).toBeLessThan(scaleConfig.FUZZ_MAX_RSS_GROWTH_MB);
  }
  // Nothing sent without a valid token changed anything: no intruder's subscription, the sentinel still there.
  const listed = (await (await stack.admin("router", "GET", "/admin/subscriptions")).json()) as { items: { id: string; workspaceId: string }[] };
  expect(listed.items.filter((s) => s.workspaceId.startsWith("intruder-"))).toEqual([]);
  expect(listed.items.map((s) => s.id)).toContain(sentinel.id);
  const audit = (await (await stack.admin("dlq", "GET", "/admin/dlq/audit?limit=500")).json()) as { items: { actor: string }[] };
  expect(audit.items.filter((a) => a.actor !== "admin" && a.actor !== "read")).toEqual([]);
}, Math.max(120_000, 60_000 + scaleConfig.FUZZ_REQUESTS * 10));
