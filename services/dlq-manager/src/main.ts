import "./telemetry";
import { runMain } from "@hookstream/platform";
import { loadDlqConfig } from "./config";
import { createDlqManager } from "./dlq.app";

runMain("dlq-manager", () => createDlqManager(loadDlqConfig()));
