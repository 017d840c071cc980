import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ChaosSystem, figuresTable, type Figures, invariantViolations, repositoryRoot, SCENARIOS } from "@hookstream/testing";

/**
 * `npm run chaos [-- --only 1,3 --rate 20 --seconds 20 --fault 30 --burst 5000/5 --settle 300 --out file.md]`: the chaos
 * scenarios of docs/reliability.md against the services built in dist/, loopback only, each on its own
 * nats-server, database and ports. Prints the table; exits 1 when any scenario lost or duplicated something.
 */
const { values } = parseArgs({
  options: {
    only: { type: "string" },
    rate: { type: "string", default: "20" },
    settle: { type: "string", default: "300" },
    seconds: { type: "string", default: "20" },
    fault: { type: "string" },
    burst: { type: "string", default: "5000/5" },
    out: { type: "string" },
    "timeout-minutes": { type: "string", default: "30" },
  },
});

const positive = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${v}`);
  return n;
};

async function main(): Promise<void> {
  const wanted = values.only ? values.only.split(",").map((s) => s.trim()) : Object.keys(SCENARIOS);
  for (const w of wanted) if (!SCENARIOS[w]) throw new Error(`--only: no scenario ${w} (there are ${Object.keys(SCENARIOS).join(", ")})`);
  const [burstEvents, burstSeconds] = values.burst.split("/").map(Number);
  if (!burstEvents || !burstSeconds) throw new Error(`--burst must be <events>/<seconds>, not ${values.burst}`);
  const timeout = setTimeout(() => void stopEverything(`still running after ${values["timeout-minutes"]} minutes`, 2), positive("timeout-minutes", values["timeout-minutes"])! * 60_000);
  timeout.unref();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopEverything(`interrupted (${signal})`, 130));

  const rows: Figures[] = [];
  for (const key of wanted) {
    const { title, run } = SCENARIOS[key]!;
    const started = Date.now();
    console.log(`[chaos] ${key}. ${title}`);
    const figures = await run({
      distDir: join(repositoryRoot(), "dist"),
      rate: positive("rate", values.rate)!,
      loadSeconds: positive("seconds", values.seconds)!,
      faultSeconds: positive("fault", values.fault),
      settleSeconds: positive("settle", values.settle),
      burst: { events: burstEvents, seconds: burstSeconds },
      log: (m) => console.log(`[chaos]   ${((Date.now() - started) / 1000).toFixed(1)} s ${m}`),
    });
    for (const f of figures) f.violations = invariantViolations(f);
    rows.push(...figures);
    console.log(figuresTable(figures));
  }
  const table = figuresTable(rows);
  console.log(`\n${table}`);
  if (values.out) writeFileSync(values.out, `${table}\n`);
  const failed = rows.filter((r) => r.violations.length > 0);
  if (failed.length > 0) {
    console.error(`[chaos] ${failed.length} scenario(s) broke the promise: ${failed.map((f) => f.scenario).join(", ")}`);
    process.exit(1);
  }
  process.exit(0);
}

/** Services, nats-servers, databases and PostgreSQL servers of the scenarios still running: none is left behind. */
async function stopEverything(why: string, code: number): Promise<void> {
  console.error(`[chaos] ${why}: stopping what runs`);
  await Promise.all([...ChaosSystem.running].map((s) => s.stop().catch(() => undefined)));
  process.exit(code);
}

main().catch((e: Error) => {
  console.error(`[chaos] failed: ${e.stack ?? e.message}`);
  process.exit(1);
});
