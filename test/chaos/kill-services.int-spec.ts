import { buildServices, invariantViolations, killEachService } from "@hookstream/testing";

let build: ReturnType<typeof buildServices>;
beforeAll(() => {
  build = buildServices();
});
afterAll(() => build?.remove());

it("loses nothing and applies nothing twice when each service is killed with -9 in turn", async () => {
  const rows = await killEachService({ distDir: build.dir, rate: 20, loadSeconds: 5, faultSeconds: 1, log: () => undefined });
  expect(rows.map((r) => r.scenario)).toEqual(["1. kill -9 ingress", "1. kill -9 router", "1. kill -9 workspace-worker", "1. kill -9 dlq-manager"]);
  for (const r of rows) {
    expect(invariantViolations(r)).toEqual([]);
    expect(r.accepted).toBeGreaterThan(0);
    expect(r.processed).toBe(r.accepted);
  }
});
