import { HttpException, HttpStatus, Inject, Injectable, Logger } from "@nestjs/common";
import { HEADERS, HookstreamError, STREAMS, SUBJECTS, type WebhookEvent } from "@hookstream/contracts";
import { JetStreamPublisher } from "@hookstream/jetstream";
import { MetricsService, type WithHeaders } from "@hookstream/platform";
import { INGRESS_CONFIG, type IngressConfig } from "./config";
import type { Provider } from "./providers";
import type { VerifyInput } from "./verifiers/verifier";

export interface IngestRequest {
  headers: VerifyInput["headers"];
  rawBody: Buffer | undefined;
}

export type IngestResult =
  | { status: "accepted"; id: string; duplicate: boolean }
  | { status: "pong"; id: string };

const fail = (status: HttpStatus, code: string, message: string, headers?: Record<string, string>) =>
  Object.assign(new HttpException({ code, message }, status), { headers } satisfies WithHeaders);

/** Verify, describe, store: answers only once JetStream has acknowledged the event. */
@Injectable()
export class IngestService {
  private readonly log = new Logger(IngestService.name);

  constructor(
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    private readonly publisher: JetStreamPublisher,
    private readonly metrics: MetricsService,
  ) {}

  ingest(provider: Provider, request: IngestRequest): Promise<IngestResult> {
    return this.metrics.time("ingest", () => this.verifyAndStore(provider, request));
  }

  private async verifyAndStore(provider: Provider, request: IngestRequest): Promise<IngestResult> {
    const source = provider.source;
    this.metrics.received.inc({ source });
    const secrets = this.config.secrets[source] ?? [];
    if (secrets.length === 0) {
      this.metrics.rejected.inc({ source, reason: "source_not_configured" });
      throw fail(HttpStatus.NOT_FOUND, "source_not_configured", `no secret is configured for ${source}: its webhooks are refused`);
    }
    const input: VerifyInput = {
      headers: request.headers,
      rawBody: request.rawBody ?? Buffer.alloc(0),
      secrets,
      nowSeconds: Math.floor(Date.now() / 1000),
      toleranceSeconds: this.config.timestampToleranceS,
    };
    const verdict = provider.verify(input);
    if (!verdict.ok) {
      this.metrics.rejected.inc({ source, reason: verdict.reason });
      throw fail(HttpStatus.UNAUTHORIZED, verdict.reason, verdict.message);
    }
    this.metrics.verified.inc({ source });

    let payload: unknown;
    try {
      payload = JSON.parse(input.rawBody.toString("utf8"));
    } catch {
      this.metrics.rejected.inc({ source, reason: "malformed_body" });
      throw fail(HttpStatus.BAD_REQUEST, "malformed_body", "body is not valid JSON");
    }
    const event = provider.describe(input, payload);
    if (!event) {
      this.metrics.rejected.inc({ source, reason: "missing_header" });
      throw fail(HttpStatus.BAD_REQUEST, "missing_header", "the event id or event type header is missing");
    }
    if (event.ping) return { status: "pong", id: event.id };

    const envelope: WebhookEvent = {
      id: event.id,
      source,
      type: event.type,
      resource: event.resource,
      receivedAt: new Date().toISOString(),
      headers: Object.fromEntries(
        provider.keptHeaders.flatMap((h) => {
          const v = input.headers[h];
          return v === undefined ? [] : [[h, Array.isArray(v) ? v.join(", ") : v]];
        }),
      ),
      payload,
    };
    try {
      const ack = await this.publisher.publish(
        {
          subject: SUBJECTS.webhook(source, event.type),
          data: envelope,
          msgId: event.id,
          headers: {
            [HEADERS.eventId]: event.id,
            [HEADERS.source]: source,
            [HEADERS.eventType]: event.type,
            ...(event.resource ? { [HEADERS.resource]: event.resource } : {}),
          },
        },
        { timeoutMs: this.config.publishTimeoutMs },
      );
      this.metrics.published.inc({ stream: STREAMS.webhooks });
      return { status: "accepted", id: event.id, duplicate: ack.duplicate };
    } catch (e) {
      // Nothing was acknowledged, so the provider's retry loses nothing.
      this.log.warn(`event ${event.id} not stored: ${(e as Error).message}`);
      this.metrics.rejected.inc({ source, reason: e instanceof HookstreamError ? `store_${e.category}` : "store_unknown" });
      throw fail(HttpStatus.SERVICE_UNAVAILABLE, "store_unavailable", "the event could not be stored; retry later", {
        "Retry-After": String(this.config.retryAfterS),
      });
    }
  }
}
