import { HookstreamError } from "@hookstream/contracts";
import { backoffDelay, type DeliveryState, JITTER_RATIO } from "@hookstream/jetstream";

export type DeferralReason = "workspace_limit" | "circuit_open";

/**
 * A job put back without being attempted. It is a `rate_limit` with its delay as Retry-After, so the retry policy
 * naks it after that delay; it is not recorded as a failed attempt. JetStream still counts the delivery, so a
 * deferral never happens on a job's last delivery (see isLastDelivery): it could not dead-letter a job.
 */
export class DeferredError extends HookstreamError {
  constructor(
    readonly reason: DeferralReason,
    message: string,
    readonly delayMs: number,
  ) {
    super("rate_limit", message, { retryAfterMs: delayMs });
  }
}

/** The retry policy naks the last delivery at once instead of waiting: its failure is final. */
export const isLastDelivery = (d: DeliveryState) => d.maxDeliver > 0 && d.deliveryCount >= d.maxDeliver;

/**
 * How long a job waits behind an open breaker: until the breaker admits a probe again, and never less than the
 * retry schedule would have waited after a failed call, so jobs behind an open breaker spend their deliveries no
 * faster than jobs calling a failing host would.
 */
export function circuitDelay(retryInMs: number, delivery: DeliveryState, random: () => number = Math.random): number {
  return Math.max(Math.round(retryInMs * (1 + JITTER_RATIO * random())), backoffDelay(delivery, random));
}
