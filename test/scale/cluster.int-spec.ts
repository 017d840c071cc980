import { buildServices, clusterLeaderLoss, figuresTable, invariantViolations } from "@hookstream/testing";

let build: ReturnType<typeof buildServices>;
beforeAll(() => {
  build = buildServices();
});
afterAll(() => build?.remove());

it("loses nothing and applies nothing twice when the WEBHOOKS leader of a 3-node cluster is killed, and when leaders step down", async () => {
  const rows = await clusterLeaderLoss({ distDir: build.dir, rate: 20, loadSeconds: 6, faultSeconds: 3, log: (m) => process.stdout.write(`[cluster] ${m}\n`) });
  process.stdout.write(`${figuresTable(rows)}\n`);
  expect(rows.map((r) => r.scenario)).toEqual([
    "9. kill -9 of the WEBHOOKS leader (3 nodes, R3)",
    "9. leader step-down of WEBHOOKS, JOBS and the workers' consumer",
    "9. (whole run)",
  ]);
  for (const r of rows) {
    expect(invariantViolations(r)).toEqual([]);
    expect(r.accepted).toBeGreaterThan(0);
    expect(r.processed).toBe(r.accepted);
  }
}, 300_000);
