import { dlqManagerDown } from "@hookstream/testing";
import { chaosScenario } from "./chaos.support";

chaosScenario("turns every failure into exactly one DLQ entry when the DLQ manager starts after the failures", dlqManagerDown, { rate: 5, loadSeconds: 3 }, ([row]) => {
  expect(row!.extra["DLQ entries"]).toBe(row!.accepted * 2);
});
