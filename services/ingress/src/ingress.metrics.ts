import { Injectable } from "@nestjs/common";
import { Counter, Histogram } from "prom-client";
import { MetricsService } from "@hookstream/platform";

/** What ingress answered, as counted in `hookstream_ingress_requests_total`. */
export type Outcome =
  | "accepted"
  | "duplicate"
  | "ignored"
  | "pong"
  | "handshake"
  | "unauthorized"
  | "not_configured"
  | "rate_limited"
  | "bad_request"
  | "too_large"
  | "unavailable"
  | "error"
  /** The client went away, or Node's request timeout closed it (408), before its body was read: nothing was stored. */
  | "abandoned";

/**
 * Ingress's own series, in the service's registry beside the shared ones (received, verified, rejected, the
 * `ingest` duration). Labels: the source key (`github`, `standard/clerk`: configured names only), outcome, status.
 */
@Injectable()
export class IngressMetrics {
  readonly requests: Counter<"source" | "outcome" | "status">;
  readonly verificationFailures: Counter<"source" | "reason">;
  readonly bodyBytes: Histogram<"source">;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.requests = new Counter({ name: "hookstream_ingress_requests_total", help: "Webhook requests answered, by source, outcome and HTTP status", labelNames: ["source", "outcome", "status"], registers });
    this.verificationFailures = new Counter({ name: "hookstream_ingress_verification_failures_total", help: "Signature verifications that failed, by reason", labelNames: ["source", "reason"], registers });
    this.bodyBytes = new Histogram({
      name: "hookstream_ingress_body_bytes",
      help: "Size of webhook bodies read",
      labelNames: ["source"],
      buckets: [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216],
      registers,
    });
  }
}
