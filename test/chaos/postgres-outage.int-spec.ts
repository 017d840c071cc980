import { postgresOutage } from "@hookstream/testing";
import { chaosScenario } from "./chaos.support";

// The full run keeps PostgreSQL away for 30 s; 5 s exercises the same paths (connections lost, retries, reconnection).
chaosScenario("loses nothing while PostgreSQL is down, and catches up once it is back", postgresOutage, { rate: 10, loadSeconds: 4, faultSeconds: 5 }, ([row]) => {
  // Ingress needs only NATS: the provider was never refused while PostgreSQL was away.
  expect(row!.refusals).toBe(0);
});
