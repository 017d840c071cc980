import "./telemetry";
import { runMain } from "@hookstream/platform";
import { loadIngressConfig } from "./config";
import { createIngress } from "./ingress.app";

runMain("ingress", () => createIngress(loadIngressConfig()));
