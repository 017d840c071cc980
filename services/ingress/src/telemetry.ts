import { startTelemetry } from "@hookstream/telemetry";

// Imported first by main.ts: instrumentation must patch http, undici and pg before they load.
startTelemetry("hookstream-ingress");
