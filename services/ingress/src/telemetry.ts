import { startTelemetry } from "@hookstream/telemetry";

// Imported first by main.ts: instrumentation must patch http, undici and pg before they load. WebhookHttp starts the
// server span of each webhook itself (health and metrics requests get none).
startTelemetry("hookstream-ingress", { ownServerSpans: true });
