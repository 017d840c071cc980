import { Inject, Injectable, type OnApplicationShutdown } from "@nestjs/common";
import { Agent, request } from "undici";
import { Semaphore } from "@hookstream/collections";
import { HookstreamError } from "@hookstream/contracts";
import type { SealedSecret } from "@hookstream/subscriptions";
import { WORKER_CONFIG, type WorkerConfig } from "./config";
import { classifyResponse } from "./delivery.outcome";
import { signDelivery } from "./standard-webhooks.signer";

export interface Delivery {
  url: string;
  secret: SealedSecret | null;
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

/** Idle keep-alive connections are closed after this, unless the destination says less. */
const KEEP_ALIVE_MS = 30_000;

/**
 * POSTs a job to its workspace's destination, signed the Standard Webhooks way, over keep-alive connections
 * pooled per origin (undici's `request`: `fetch`'s web streams cost a fifth of the worker's CPU).
 */
@Injectable()
export class DestinationClient implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly inFlight: Semaphore;

  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {
    // Never more connections to one origin than deliveries at once.
    this.agent = new Agent({ connections: config.deliveryConcurrency, keepAliveTimeout: KEEP_ALIVE_MS, keepAliveMaxTimeout: KEEP_ALIVE_MS });
    this.inFlight = new Semaphore(config.deliveryConcurrency);
  }

  /** After the consumers stopped (Nest closes them first): jobs finishing during shutdown still deliver. */
  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }

  /** Waits for a delivery slot (DELIVERY_CONCURRENCY); the timeout runs from the request itself. */
  deliver(d: Delivery): Promise<DeliveryResult> {
    return this.inFlight.run(() => this.send(d));
  }

  private async send(d: Delivery): Promise<DeliveryResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const signature = d.secret ? signDelivery(d.secret, d.id, Math.floor(Date.now() / 1000), d.body) : { "webhook-id": d.id };
    let response: { status: number; retryAfter: string | null };
    try {
      const res = await request(d.url, {
        method: "POST",
        dispatcher: this.agent,
        headers: { "content-type": "application/json", "user-agent": "Hookstream/0.1", ...d.headers, ...signature },
        body: d.body,
        signal: AbortSignal.timeout(this.config.deliveryTimeoutMs),
      });
      // Read the body so the connection returns to the keep-alive pool.
      await res.body.dump().catch(() => undefined);
      const retryAfter = res.headers["retry-after"];
      response = { status: res.statusCode, retryAfter: (Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) ?? null };
    } catch (e) {
      const err = e as Error;
      const timedOut = err.name === "TimeoutError" || err.name === "AbortError";
      const base = timedOut
        ? new HookstreamError("timeout", `destination did not answer within ${this.config.deliveryTimeoutMs} ms`, { cause: e })
        : new HookstreamError("external_api", `destination unreachable: ${(err.cause as Error | undefined)?.message ?? err.message}`, { cause: e });
      throw new DeliveryError(base, undefined, elapsed());
    }
    const failure = classifyResponse(response.status, response.retryAfter);
    if (failure) throw new DeliveryError(failure, response.status, elapsed());
    return { status: response.status, durationMs: elapsed() };
  }
}
