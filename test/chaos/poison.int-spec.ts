import { poisonJobs } from "@hookstream/testing";
import { chaosScenario } from "./chaos.support";

chaosScenario("dead-letters poison messages on JOBS as validation while the workers keep going", poisonJobs, { rate: 10, loadSeconds: 4 }, ([row]) => {
  expect(row!.extra["poison dead-lettered as validation"]).toBe("4/4");
});
