import { Inject, Injectable, Logger, type OnModuleInit } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";
import type { FastifyInstance } from "fastify";
import type { IncomingMessage, ServerResponse } from "node:http";
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { MetricsService } from "@hookstream/platform";
import { clientAddress } from "./client";
import { INGRESS_CONFIG, type IngressConfig } from "./config";
import { type Answer, IngestService } from "./ingest.service";
import { IngressMetrics } from "./ingress.metrics";
import { PROVIDERS, type Source, SOURCES } from "./providers";

/** On every response: ingress answers machines, so nothing it sends is to be rendered, framed, cached or sniffed. */
export const SECURITY_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "cache-control": "no-store",
};

/** What answers a request to a webhook route; `path` names it in traces (`/webhooks/standard/:name`). */
type Route = { label: string; path: string } & ({ source: Source } | { notConfigured: true } | { handshake: true });

const PREFIX = "/webhooks/";
/** A body Node may read and drop after an answer given before reading it, keeping the connection; a larger one closes it. */
const DRAINABLE_BYTES = 64 * 1024;
const INTERNAL_ERROR: Answer = { status: 500, outcome: "error", body: { code: "internal_error", message: "internal error" } };
const tracer = trace.getTracer("hookstream-ingress");

function hasLargeBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > DRAINABLE_BYTES;
}

/**
 * The body as sent, or `too_large` as soon as it is known to pass `limit` (a declared Content-Length, before reading;
 * else the running total, at which point reading stops and nothing more is kept), or `aborted` when the client went
 * away (or Node timed it out) first.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too_large" | "aborted"> {
  if (Number(req.headers["content-length"]) > limit) return Promise.resolve("too_large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | "too_large" | "aborted") => {
      req.off("data", onData).off("end", onEnd).off("close", onClose).off("error", onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish("too_large");
      else chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    const onClose = () => finish("aborted");
    req.on("data", onData).on("end", onEnd).on("close", onClose).on("error", onClose);
  });
}

/**
 * The public webhook routes, answered on Node's request event before Fastify sees the request (Fastify's per-request
 * cost would be most of the work; health and metrics stay with Nest). Routes come from one table (PROVIDERS): one per
 * configured source, with that source's body limit, and for each provider path no source is configured for a 404
 * given before the body is read, as is a 429 for a client out of failure tokens.
 */
@Injectable()
export class WebhookHttp implements OnModuleInit {
  private readonly log = new Logger("Ingress");
  /** By `<method> <path>`. */
  private readonly routes = new Map<string, Route>();
  /** `/webhooks/standard/`, `/webhooks/hmac/` and their kind: any name there that is not configured is refused. */
  private readonly namedPaths: Array<[prefix: string, kind: string]> = [];

  constructor(
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    @Inject(SOURCES) sources: Source[],
    private readonly adapterHost: HttpAdapterHost,
    private readonly ingest: IngestService,
    private readonly metrics: MetricsService,
    private readonly ingressMetrics: IngressMetrics,
  ) {
    for (const [kind, { path }] of Object.entries(PROVIDERS)) {
      const configured = sources.filter((s) => s.kind === kind);
      for (const source of configured) this.routes.set(`POST ${PREFIX}${source.key}`, { label: source.key, path: PREFIX + source.key, source });
      if (path.endsWith(":name")) this.namedPaths.push([PREFIX + path.slice(0, -":name".length), kind]);
      else if (configured.length === 0) this.routes.set(`POST ${PREFIX}${path}`, { label: kind, path: PREFIX + path, notConfigured: true });
    }
    const meta = { label: "meta", path: `${PREFIX}meta` };
    this.routes.set(`GET ${PREFIX}meta`, config.metaVerifyTokens.length > 0 ? { ...meta, handshake: true } : { ...meta, notConfigured: true });
  }

  /** What Fastify answers (health, metrics, 404s) gets the security headers too. */
  onModuleInit() {
    this.adapterHost.httpAdapter.getInstance<FastifyInstance>().addHook("onRequest", (_req, reply, done) => {
      reply.headers(SECURITY_HEADERS);
      done();
    });
  }

  /**
   * Takes a request for a webhook route (true), leaving any other to Fastify (false). Its server span is made here
   * (OpenTelemetry's HTTP instrumentation leaves incoming requests alone, see telemetry.ts): named after the route,
   * and the parent of the span that stores the event.
   */
  readonly handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? "";
    if (!url.startsWith(PREFIX)) return false;
    const q = url.indexOf("?");
    const method = req.method ?? "";
    const route = this.route(method, q < 0 ? url : url.slice(0, q));
    if (!route) return false;
    const timer = this.metrics.duration.startTimer({ operation: "ingest" });
    const caller = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(`${method} ${route.path}`, { kind: SpanKind.SERVER, attributes: { "http.request.method": method, "http.route": route.path } }, caller);
    context
      .with(trace.setSpan(caller, span), () => this.serve(route, req, q < 0 ? "" : url.slice(q + 1)))
      .catch((e: Error): Answer => {
        this.log.error(`${route.label}: ${e.stack ?? e.message}`);
        span.recordException(e);
        return INTERNAL_ERROR;
      })
      .then((answer) => {
        if (answer) this.send(req, res, route.label, answer);
        else this.ingressMetrics.requests.inc({ source: route.label, outcome: "abandoned", status: "none" });
        span.setAttribute("http.response.status_code", answer?.status ?? 0);
        if (!answer || answer.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        timer({ outcome: answer && answer.status < 400 ? "ok" : "error" });
      });
    return true;
  };

  private route(method: string, path: string): Route | undefined {
    const exact = this.routes.get(`${method} ${path}`);
    if (exact || method !== "POST") return exact;
    const named = this.namedPaths.find(([prefix]) => path.startsWith(prefix) && path.length > prefix.length && !path.includes("/", prefix.length));
    return named && { label: named[1], path: `${named[0]}:name`, notConfigured: true };
  }

  /** The answer to a request; undefined when the client went away (or Node timed it out) before its body arrived. */
  private async serve(route: Route, req: IncomingMessage, query: string): Promise<Answer | undefined> {
    const ip = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"] as string | undefined, this.config.trustedProxies);
    const limited = this.ingest.admit(route.label, ip);
    if (limited) return limited;
    if ("notConfigured" in route) return this.ingest.notConfigured(route.label, ip);
    if ("handshake" in route) return this.ingest.handshake(Object.fromEntries(new URLSearchParams(query)), ip);
    const body = await readBody(req, route.source.maxBodyBytes);
    if (body === "aborted") return undefined;
    if (body === "too_large") return this.ingest.tooLarge(route.label, route.source.maxBodyBytes);
    this.ingressMetrics.bodyBytes.observe({ source: route.label }, body.length);
    return this.ingest.ingest(route.source, { headers: req.headers, rawBody: body, ip });
  }

  /** Writes the answer, and closes the connection after it when a large body is still unread (429, 404 or 413). */
  private send(req: IncomingMessage, res: ServerResponse, label: string, answer: Answer) {
    const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...SECURITY_HEADERS,
      "content-type": "application/json; charset=utf-8",
      ...answer.headers,
      "content-length": Buffer.byteLength(text),
      ...(!req.complete && hasLargeBody(req) && { connection: "close" }),
    });
    res.end(text);
    this.metrics.received.inc({ source: label });
    this.ingressMetrics.requests.inc({ source: label, outcome: answer.outcome, status: String(answer.status) });
  }
}
