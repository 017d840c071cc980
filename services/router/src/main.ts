import "./telemetry";
import { runMain } from "@hookstream/platform";
import { loadRouterConfig } from "./config";
import { createRouter } from "./router.app";

runMain("router", () => createRouter(loadRouterConfig()));
