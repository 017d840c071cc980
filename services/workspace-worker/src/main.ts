import "./telemetry";
import { runMain } from "@hookstream/platform";
import { loadWorkerConfig } from "./config";
import { createWorker } from "./worker.app";

runMain("workspace-worker", () => createWorker(loadWorkerConfig()));
