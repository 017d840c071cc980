import { badDestinations } from "./bad-destination";
import { burst } from "./burst";
import type { Scenario } from "./context";
import { dlqManagerDown } from "./dlq-down";
import { killNats } from "./kill-nats";
import { killEachService } from "./kill-services";
import { poisonJobs } from "./poison";
import { postgresOutage } from "./postgres-outage";
import { streamFull } from "./stream-full";

export * from "./context";
export { badDestinations, burst, dlqManagerDown, killEachService, killNats, poisonJobs, postgresOutage, streamFull };

/** Every scenario by its number in issue #9 and docs/reliability.md. */
export const SCENARIOS: Record<string, { title: string; run: Scenario }> = {
  "1": { title: "kill -9 of each service in turn, then a restart", run: killEachService },
  "2": { title: "kill -9 of nats-server, restart on the same store", run: killNats },
  "3": { title: "PostgreSQL unavailable", run: postgresOutage },
  "4": { title: "destinations that flap, hang past the timeout, answer 429 with Retry-After", run: badDestinations },
  "5": { title: "DLQ manager down while jobs fail", run: dlqManagerDown },
  "6": { title: "JetStream out of space", run: streamFull },
  "7": { title: "poison messages on JOBS", run: poisonJobs },
  "8": { title: "a burst", run: burst },
};
