import { streamFull } from "@hookstream/testing";
import { chaosScenario } from "./chaos.support";

chaosScenario("answers 503, never 202, while WEBHOOKS is full, and accepts again once space returns", streamFull, { rate: 20, loadSeconds: 4, faultSeconds: 2 }, ([row]) => {
  expect(Number(row!.extra["503"])).toBeGreaterThan(0);
  expect(row!.extra["202 while full"]).toBe(0);
  expect(row!.givenUp).toBe(0);
});
