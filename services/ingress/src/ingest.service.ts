import { Inject, Injectable, Logger } from "@nestjs/common";
import { encodeWebhookEvent, HEADERS, STREAMS, SUBJECTS, WebhookEvent } from "@hookstream/contracts";
import { JetStreamPublisher } from "@hookstream/jetstream";
import { levelsUpTo, MetricsService } from "@hookstream/platform";
import { clientKey } from "./client";
import { INGRESS_CONFIG, type IngressConfig } from "./config";
import { IngressMetrics, type Outcome } from "./ingress.metrics";
import { type Description, eventAllowed, SIGNATURE_HEADERS, SOURCES, type Source } from "./providers";
import { CREDENTIAL_HEADERS, redactHeaders } from "./redact";
import { TokenBuckets } from "./token-buckets";
import { answerMetaHandshake } from "./verifiers/meta.verifier";
import type { VerifyInput } from "./verifiers/verifier";

export interface WebhookRequest {
  headers: VerifyInput["headers"];
  rawBody: Buffer;
  /** The client's address, as the trusted proxies report it. */
  ip: string;
}

/** What ingress answers: a JSON body, or a string sent as it is (the Meta challenge). */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  outcome: Outcome;
}

/** The parts of an event a provider's request decides (the rest is ingress's own): checked against the contract. */
const DESCRIBED_FIELDS = WebhookEvent.pick({ id: true, type: true, resource: true });

const retryAfter = (ms: number) => ({ "Retry-After": String(Math.max(1, Math.ceil(ms / 1000))) });

/** V8's JSON errors quote the input; only the position is worth repeating. */
function jsonProblem(rawBody: Buffer, error: unknown): string {
  if (rawBody.length === 0) return "body is empty; a JSON document is expected";
  const position = /at position (\d+)/.exec((error as Error).message)?.[1];
  return `body is not valid JSON${position ? ` (at character ${position})` : ""}`;
}

/**
 * Verify, rate-limit, describe, filter, store: answers 202 only once JetStream has acknowledged the event. Every
 * refusal is a JSON `{ code, message }` with a stable code; a client whose requests keep being refused (bad
 * signatures, unknown sources) is answered 429 until its bucket refills.
 */
@Injectable()
export class IngestService {
  private readonly log = new Logger("Ingress");
  /** Refused requests per client. */
  private readonly failures: TokenBuckets;
  /** Verified requests per source; one bucket per configured source. */
  private readonly verified: TokenBuckets;
  private readonly sensitiveHeaders: ReadonlySet<string>;
  /** At debug level, refused requests are logged with their (redacted) headers; the line is not even built otherwise. */
  private readonly logRefusals: boolean;

  constructor(
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    @Inject(SOURCES) sources: Source[],
    private readonly publisher: JetStreamPublisher,
    private readonly metrics: MetricsService,
    private readonly ingressMetrics: IngressMetrics,
  ) {
    const { failuresPerClient, verifiedPerSource, maxClients } = config.rateLimits;
    this.failures = new TokenBuckets(failuresPerClient, maxClients);
    this.verified = new TokenBuckets(verifiedPerSource, Math.max(1, sources.length));
    // Every provider's, configured or not: a request may carry any of them.
    this.logRefusals = levelsUpTo(config.logLevel).includes("debug");
    this.sensitiveHeaders = new Set([...CREDENTIAL_HEADERS, ...SIGNATURE_HEADERS, ...sources.flatMap((s) => s.provider.signatureHeaders)]);
  }

  /** Before the body is read: a client out of failure tokens is answered 429 at once. */
  admit(label: string, ip: string): Answer | undefined {
    const wait = this.failures.wait(clientKey(ip));
    return wait > 0 ? this.rateLimited(label, wait, "too many refused requests from this client") : undefined;
  }

  /** A source that is not configured is refused (404), never accepted unsigned, and counts as a failure. */
  notConfigured(label: string, ip: string): Answer {
    return this.failure(label, ip, 404, "not_configured", "source_not_configured", `no secret is configured for ${label}: its webhooks are refused`);
  }

  /** A body over the source's limit: refused unread, or as soon as it grows past the limit. */
  tooLarge(label: string, limit: number): Answer {
    return this.refuse(label, 413, "too_large", "payload_too_large", `the body is larger than this source's limit of ${limit} bytes`);
  }

  /** Meta's subscription handshake: the challenge echoed as text when the verify token is known. */
  handshake(query: Record<string, unknown>, ip: string): Answer {
    const result = answerMetaHandshake(query, this.config.metaVerifyTokens);
    if (result.ok) return { status: 200, outcome: "handshake", body: result.challenge, headers: { "content-type": "text/plain; charset=utf-8" } };
    const malformed = result.reason === "malformed_signature";
    return this.failure("meta", ip, malformed ? 400 : 403, malformed ? "bad_request" : "unauthorized", result.reason, result.message);
  }

  async ingest(source: Source, request: WebhookRequest): Promise<Answer> {
    const answer = await this.answer(source, request);
    if (answer.status >= 400 && this.logRefusals) {
      const headers = JSON.stringify(redactHeaders(request.headers, this.sensitiveHeaders));
      this.log.debug(`${source.key}: ${answer.status} ${(answer.body as { code: string }).code} for ${request.ip}, headers ${headers}`);
    }
    return answer;
  }

  private async answer(source: Source, request: WebhookRequest): Promise<Answer> {
    const input: VerifyInput = {
      headers: request.headers,
      rawBody: request.rawBody,
      secrets: source.secrets,
      nowSeconds: Math.floor(Date.now() / 1000),
      toleranceSeconds: this.config.timestampToleranceS,
    };
    const verdict = source.provider.verify(input);
    if (!verdict.ok) {
      this.ingressMetrics.verificationFailures.inc({ source: source.key, reason: verdict.reason });
      return this.failure(source.key, request.ip, 401, "unauthorized", verdict.reason, verdict.message);
    }
    this.metrics.verified.inc({ source: source.key });
    const wait = this.verified.take(source.key);
    if (wait > 0) return this.rateLimited(source.key, wait, `more webhooks for ${source.key} than its rate limit`);

    let payload: unknown;
    try {
      payload = JSON.parse(request.rawBody.toString("utf8"));
    } catch (e) {
      return this.refuse(source.key, 400, "bad_request", "malformed_body", jsonProblem(request.rawBody, e));
    }
    let described: Description;
    try {
      described = source.provider.describe(input, payload);
    } catch {
      // Only a pathological body (nested past the stack) gets here: the provider's fault, not ours.
      described = { ok: false, reason: "malformed_body", message: "body is nested too deeply" };
    }
    if (!described.ok) return this.refuse(source.key, 400, "bad_request", described.reason, described.message);
    const event = described.event;
    if (event.ping) return { status: 200, outcome: "pong", body: { status: "pong", id: event.id } };
    if (!eventAllowed(source.events, event.type)) return { status: 202, outcome: "ignored", body: { status: "ignored", id: event.id, type: event.type } };

    // What the router could not read is refused here, where the provider still hears about it.
    const checked = DESCRIBED_FIELDS.safeParse({ id: event.id, type: event.type, resource: event.resource });
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      return this.refuse(source.key, 400, "bad_request", "invalid_event", `event ${issue.path.join(".")}: ${issue.message}`);
    }
    const headers: Record<string, string> = {};
    for (const name of source.provider.keptHeaders) {
      const value = input.headers[name];
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    return this.store(source, { ...checked.data, source: source.kind, receivedAt: new Date().toISOString(), headers }, request.rawBody);
  }

  /** The payload is stored as the provider sent it: its bytes parsed as JSON above, so they are valid JSON. */
  private async store(source: Source, envelope: Omit<WebhookEvent, "payload">, rawBody: Buffer): Promise<Answer> {
    try {
      const ack = await this.publisher.publish(
        {
          subject: SUBJECTS.webhook(envelope.source, envelope.type),
          data: encodeWebhookEvent(envelope, rawBody),
          msgId: envelope.id,
          headers: {
            [HEADERS.eventId]: envelope.id,
            [HEADERS.source]: envelope.source,
            [HEADERS.eventType]: envelope.type,
            ...(envelope.resource ? { [HEADERS.resource]: envelope.resource } : {}),
          },
        },
        { timeoutMs: this.config.publishTimeoutMs },
      );
      this.metrics.published.inc({ stream: STREAMS.webhooks });
      return { status: 202, outcome: ack.duplicate ? "duplicate" : "accepted", body: { status: "accepted", id: envelope.id, duplicate: ack.duplicate } };
    } catch (e) {
      // Nothing was acknowledged, so the provider's retry loses nothing.
      this.log.warn(`event ${envelope.id} from ${source.key} not stored: ${(e as Error).message}`);
      return this.refuse(source.key, 503, "unavailable", "store_unavailable", "the event could not be stored; retry later", retryAfter(this.config.retryAfterS * 1000));
    }
  }

  /** A refused request that counts against its client: 429 instead once the client has no failure token left. */
  private failure(label: string, ip: string, status: number, outcome: Outcome, code: string, message: string): Answer {
    const wait = this.failures.take(clientKey(ip));
    return wait > 0 ? this.rateLimited(label, wait, "too many refused requests from this client") : this.refuse(label, status, outcome, code, message);
  }

  private rateLimited(label: string, waitMs: number, message: string): Answer {
    return this.refuse(label, 429, "rate_limited", "rate_limited", message, retryAfter(waitMs));
  }

  private refuse(label: string, status: number, outcome: Outcome, code: string, message: string, headers?: Record<string, string>): Answer {
    this.metrics.rejected.inc({ source: label, reason: code });
    return { status, outcome, body: { code, message }, headers };
  }
}
