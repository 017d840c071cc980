import { killNats } from "@hookstream/testing";
import { chaosScenario } from "./chaos.support";

chaosScenario("loses nothing when nats-server is killed with -9 and restarted on its store", killNats, { rate: 10, loadSeconds: 4, faultSeconds: 2 });
