import { categorize } from "@hookstream/contracts";

export type Disposition =
  | { action: "ack" }
  | { action: "nak"; delayMs: number; reason: string }
  | { action: "term"; reason: string };

export interface DeliveryState {
  /** 1 for the first delivery. */
  deliveryCount: number;
  maxDeliver: number;
  backoffMs: number[];
}

/** Up to this share of a delay is added at random, so retries of a burst do not arrive together. */
export const JITTER_RATIO = 0.1;
const FALLBACK_DELAY_MS = 1000;

export function backoffDelay(state: DeliveryState, random: () => number = Math.random): number {
  const { backoffMs, deliveryCount } = state;
  const base = backoffMs.length === 0 ? FALLBACK_DELAY_MS : backoffMs[Math.min(deliveryCount - 1, backoffMs.length - 1)]!;
  return Math.round(base * (1 + JITTER_RATIO * random()));
}

/**
 * The one place that turns a failure into what JetStream is told: `validation` is terminated at once (it would
 * fail the same way again); `rate_limit` waits as long as the other side asked; everything else backs off.
 * The last delivery is nak'ed without delay, so the server raises its max-deliveries advisory at once.
 */
export function decideFailure(error: unknown, state: DeliveryState, random: () => number = Math.random): Disposition {
  const { category, message, retryAfterMs } = categorize(error);
  const reason = `${category}: ${message}`;
  if (category === "validation") return { action: "term", reason };
  if (state.maxDeliver > 0 && state.deliveryCount >= state.maxDeliver) return { action: "nak", delayMs: 0, reason };
  if (category === "rate_limit" && retryAfterMs !== undefined) return { action: "nak", delayMs: retryAfterMs, reason };
  return { action: "nak", delayMs: backoffDelay(state, random), reason };
}
