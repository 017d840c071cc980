import { listenWithBodies, type TestHttpServer } from "./http-server";

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
const value = (v: AnyValue) => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));
const attrs = (list: { key: string; value: AnyValue }[] = []) => Object.fromEntries(list.map((a) => [a.key, value(a.value)]));

/** An OTLP/HTTP JSON trace receiver (OTEL_EXPORTER_OTLP_PROTOCOL=http/json), keeping every span it gets. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private server?: TestHttpServer;
  port = 0;

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = await listenWithBodies((req, text, res) => {
        if (req.url === "/v1/traces") {
          const body = JSON.parse(text || "{}");
          for (const rs of body.resourceSpans ?? []) {
            const service = String(attrs(rs.resource?.attributes)["service.name"] ?? "");
            for (const ss of rs.scopeSpans ?? [])
              for (const s of ss.spans ?? [])
                this.spans.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId || undefined, name: s.name, kind: s.kind, attributes: attrs(s.attributes) });
          }
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    this.port = this.server.port;
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
