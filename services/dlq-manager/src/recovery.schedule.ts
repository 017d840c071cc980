import type { ErrorCategory } from "@hookstream/contracts";
import type { DeadLetterStatus } from "@hookstream/database";

/**
 * Delays before each automatic retry, growing geometrically from `firstMs` to `lastMs` over `retries` steps
 * (5 min to 12 h over 5: 5 min, 17 min, 1 h, 3.5 h, 12 h).
 */
export function retryDelays(firstMs: number, lastMs: number, retries: number): number[] {
  if (retries <= 0) return [];
  if (retries === 1) return [firstMs];
  const ratio = (lastMs / firstMs) ** (1 / (retries - 1));
  return Array.from({ length: retries }, (_, i) => (i === retries - 1 ? lastMs : Math.round(firstMs * ratio ** i)));
}

/** A `validation` failure would fail the same way again: only an operator (after a fix) replays it. */
export const isRetryable = (category: ErrorCategory) => category !== "validation";

export interface FailureState {
  status: Extract<DeadLetterStatus, "pending" | "failed">;
  nextRetryAt: Date | null;
  needsManualIntervention: boolean;
}

/**
 * Where an entry stands after a failure (the first, or a replay's): waiting for its next automatic retry,
 * waiting for an operator (validation), or failed once every automatic retry is spent.
 */
export function afterFailure(category: ErrorCategory, retriesSpent: number, delaysMs: number[], now: Date): FailureState {
  // Validation, or automatic recovery turned off (DLQ_RETRIES=0): nothing will happen without an operator.
  if (!isRetryable(category) || delaysMs.length === 0) return { status: "pending", nextRetryAt: null, needsManualIntervention: true };
  const delay = delaysMs[retriesSpent];
  if (delay === undefined) return { status: "failed", nextRetryAt: null, needsManualIntervention: true };
  return { status: "pending", nextRetryAt: new Date(now.getTime() + delay), needsManualIntervention: false };
}
