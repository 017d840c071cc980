import { buildServices, figuresTable, invariantViolations, replicaScaleOut, throughputTable } from "@hookstream/testing";

let build: ReturnType<typeof buildServices>;
beforeAll(() => {
  build = buildServices();
});
afterAll(() => build?.remove());

it("shares the durable consumers between 2 ingress, 2 routers and 3 workers, each effect once, and measures 1, 2 and 3 workers", async () => {
  const result = await replicaScaleOut({ distDir: build.dir, rate: 20, loadSeconds: 4, throughputEvents: 60, workspaces: 5, log: (m) => process.stdout.write(`[replicas] ${m}\n`) });
  process.stdout.write(`${figuresTable(result.figures)}\n${throughputTable(result.throughput)}\n`);
  for (const r of result.figures) {
    expect(invariantViolations(r)).toEqual([]);
    expect(r.processed).toBe(r.accepted);
  }
  // Every replica did part of the work: none of them stood idle behind another.
  expect(Object.keys(result.shares).sort()).toEqual(["ingress", "ingress#2", "router", "router#2", "workspace-worker", "workspace-worker#2", "workspace-worker#3"]);
  for (const n of Object.values(result.shares)) expect(n).toBeGreaterThan(0);
  expect(result.throughput.map((t) => [t.workers, t.jobs])).toEqual([
    [1, 300],
    [2, 300],
    [3, 300],
  ]);
}, 300_000);
