import { killEachService } from "@hookstream/testing";
import { chaosScenario } from "./chaos.support";

chaosScenario("loses nothing and applies nothing twice when each service is killed with -9 in turn", killEachService, { rate: 10, loadSeconds: 2, faultSeconds: 1 }, (rows) => {
  expect(rows.map((r) => r.scenario)).toEqual(["1. kill -9 ingress", "1. kill -9 router", "1. kill -9 workspace-worker", "1. kill -9 dlq-manager", "1. (whole run)"]);
});
