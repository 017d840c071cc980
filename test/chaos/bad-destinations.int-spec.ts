import { badDestinations } from "@hookstream/testing";
import { chaosScenario } from "./chaos.support";

chaosScenario("delivers every job to destinations that flap, hang and answer 429, beside a healthy one", badDestinations, { rate: 5, loadSeconds: 4 }, ([row]) => {
  expect(Number(row!.extra["429"])).toBeGreaterThan(0);
  expect(Number(row!.extra["503 (flap)"])).toBeGreaterThan(0);
  expect(Number(row!.extra.hangs)).toBeGreaterThan(0);
});
