import { burst } from "@hookstream/testing";
import { chaosScenario } from "./chaos.support";

// The full run sends 5,000 events in 5 s.
chaosScenario("accepts or refuses (429/503) every event of a burst, and loses none it accepted", burst, { rate: 0, loadSeconds: 1, burst: { events: 300, seconds: 1 } });
