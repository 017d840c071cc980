import { HookstreamError } from "@hookstream/contracts";

/** Longest Retry-After honoured; a larger one is clamped so a job cannot be parked for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS);
}

/**
 * What a destination's answer means for the job: 2xx is done; 429 waits as asked; 408 and 5xx are worth
 * retrying; any other 4xx would fail the same way again, so it is a validation error (dead-lettered at once).
 */
export function classifyResponse(status: number, retryAfter: string | null, now: number = Date.now()): HookstreamError | null {
  if (status >= 200 && status < 300) return null;
  if (status === 429) return new HookstreamError("rate_limit", `destination answered 429`, { retryAfterMs: parseRetryAfter(retryAfter, now) });
  if (status === 408 || status >= 500) return new HookstreamError("external_api", `destination answered ${status}`);
  if (status >= 400) return new HookstreamError("validation", `destination answered ${status}: not retryable`);
  return new HookstreamError("external_api", `destination answered ${status}`);
}
