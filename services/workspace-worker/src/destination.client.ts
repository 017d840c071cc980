import { Inject, Injectable } from "@nestjs/common";
import { HookstreamError } from "@hookstream/contracts";
import { WORKER_CONFIG, type WorkerConfig } from "./config";
import { classifyResponse } from "./delivery.outcome";
import { signDelivery } from "./standard-webhooks.signer";

export interface Delivery {
  url: string;
  secret: string | null;
  /** Standard Webhooks `webhook-id`: the job id, stable across retries. */
  id: string;
  body: string;
  headers: Record<string, string>;
}

export interface DeliveryResult {
  status: number;
  durationMs: number;
}

/** A failed delivery, with the destination's status when it answered. */
export class DeliveryError extends HookstreamError {
  constructor(
    base: HookstreamError,
    readonly status: number | undefined,
    readonly durationMs: number,
  ) {
    super(base.category, base.message, { retryAfterMs: base.retryAfterMs, cause: base.cause });
  }
}

/** POSTs a job to its workspace's destination, signed the Standard Webhooks way. */
@Injectable()
export class DestinationClient {
  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {}

  async deliver(d: Delivery): Promise<DeliveryResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const signature = d.secret ? signDelivery(d.secret, d.id, Math.floor(Date.now() / 1000), d.body) : { "webhook-id": d.id };
    let response: Response;
    try {
      response = await fetch(d.url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "Hookstream/0.1", ...d.headers, ...signature },
        body: d.body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.config.deliveryTimeoutMs),
      });
      // Read the body so the connection returns to the keep-alive pool.
      await response.arrayBuffer().catch(() => undefined);
    } catch (e) {
      const err = e as Error;
      const timedOut = err.name === "TimeoutError" || err.name === "AbortError";
      const base = timedOut
        ? new HookstreamError("timeout", `destination did not answer within ${this.config.deliveryTimeoutMs} ms`, { cause: e })
        : new HookstreamError("external_api", `destination unreachable: ${(err.cause as Error | undefined)?.message ?? err.message}`, { cause: e });
      throw new DeliveryError(base, undefined, elapsed());
    }
    const failure = classifyResponse(response.status, response.headers.get("retry-after"));
    if (failure) throw new DeliveryError(failure, response.status, elapsed());
    return { status: response.status, durationMs: elapsed() };
  }
}
