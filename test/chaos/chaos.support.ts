import { buildServices, type Figures, invariantViolations, type Scenario, type ScenarioContext } from "@hookstream/testing";

/**
 * The short form of a chaos scenario (docs/reliability.md has the full one): the services built once for the
 * file, the scenario run with a small load, and what must always hold checked on every row.
 */
export function chaosScenario(title: string, scenario: Scenario, sizes: Omit<ScenarioContext, "distDir" | "log">, more?: (rows: Figures[]) => void): void {
  let build: ReturnType<typeof buildServices>;
  beforeAll(() => {
    build = buildServices();
  });
  afterAll(() => build?.remove());

  it(title, async () => {
    const rows = await scenario({ ...sizes, distDir: build.dir, log: () => undefined });
    for (const r of rows) {
      expect({ scenario: r.scenario, violations: invariantViolations(r) }).toEqual({ scenario: r.scenario, violations: [] });
      expect(r.accepted).toBeGreaterThan(0);
      expect(r.processed).toBe(r.accepted);
    }
    more?.(rows);
  }, 240_000);
}
