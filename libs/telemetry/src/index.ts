import { NodeSDK } from "@opentelemetry/sdk-node";
import { getNodeAutoInstrumentations } from "@opentelemetry/auto-instrumentations-node";
import { z } from "zod";

type SpanProcessors = NonNullable<ConstructorParameters<typeof NodeSDK>[0]>["spanProcessors"];

/** The standard OTEL_* variables; the SDK reads the rest (protocol, sampler, resource attributes) itself. */
const schema = z.object({
  OTEL_SERVICE_NAME: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().optional(),
  OTEL_SDK_DISABLED: z.enum(["true", "false"]).optional(),
});

/** Keeps spans (and so trace ids in NATS headers and logs) without exporting them anywhere. */
const keepLocal = {
  onStart() {},
  onEnd() {},
  forceFlush: async () => {},
  shutdown: async () => {},
};

let sdk: NodeSDK | undefined;

export interface TelemetryOptions {
  spanProcessors?: SpanProcessors;
  env?: Record<string, string | undefined>;
  /**
   * The service starts the server spans of the requests it traces itself (ingress's webhooks), so incoming requests
   * are not instrumented: the HTTP instrumentation's per-request cost is most of a webhook's.
   */
  ownServerSpans?: boolean;
}

/**
 * Starts OpenTelemetry before anything else is loaded, so http, undici and pg are instrumented.
 * With no OTLP endpoint configured nothing is exported and nothing fails; trace context still propagates.
 */
export function startTelemetry(serviceName: string, options: TelemetryOptions = {}): NodeSDK | undefined {
  if (sdk) return sdk;
  const env = schema.parse(options.env ?? process.env);
  if (env.OTEL_SDK_DISABLED === "true") return undefined;
  const exporting = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    // Undefined lets the SDK build the OTLP exporter from the standard variables.
    spanProcessors: options.spanProcessors ?? (exporting ? undefined : [keepLocal]),
    instrumentations: [
      getNodeAutoInstrumentations({
        ...(options.ownServerSpans && { "@opentelemetry/instrumentation-http": { disableIncomingRequestInstrumentation: true } }),
        "@opentelemetry/instrumentation-fs": { enabled: false },
        "@opentelemetry/instrumentation-dns": { enabled: false },
        "@opentelemetry/instrumentation-net": { enabled: false },
        // A span per pool checkout says nothing the query's own span does not, and costs as much.
        "@opentelemetry/instrumentation-pg": { ignoreConnectSpans: true },
      }),
    ],
  });
  sdk.start();
  return sdk;
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
