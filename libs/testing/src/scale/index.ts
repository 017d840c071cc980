import type { Scenario } from "../chaos/scenarios/context";
import { clusterLeaderLoss } from "./cluster-leader";

export { clusterLeaderLoss };
export * from "./replicas";

/** The scale-out scenarios of issue #9 (docs/reliability.md), numbered after the chaos scenarios. */
export const SCALE_SCENARIOS: Record<string, { title: string; run: Scenario }> = {
  "9": { title: "3-node NATS cluster, streams at 3 replicas: the stream leader killed, then leaders stepped down", run: clusterLeaderLoss },
};
