import { z } from "zod";

/** What went wrong decides what happens next: retry, back off, or dead-letter. */
export const ErrorCategory = z.enum(["timeout", "validation", "external_api", "rate_limit", "unknown"]);
export type ErrorCategory = z.infer<typeof ErrorCategory>;

export interface HookstreamErrorOptions {
  /** For `rate_limit`: how long the other side asked us to wait. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class HookstreamError extends Error {
  readonly retryAfterMs?: number;

  constructor(
    readonly category: ErrorCategory,
    message: string,
    options: HookstreamErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HookstreamError";
    this.retryAfterMs = options.retryAfterMs;
  }
}

export const validationError = (message: string, cause?: unknown) => new HookstreamError("validation", message, { cause });

/** Any thrown value as a category and a message; errors that are not ours are `unknown`. */
export function categorize(error: unknown): { category: ErrorCategory; message: string; retryAfterMs?: number } {
  if (error instanceof HookstreamError) {
    return { category: error.category, message: error.message, retryAfterMs: error.retryAfterMs };
  }
  if (error instanceof z.ZodError) return { category: "validation", message: z.prettifyError(error) };
  return { category: "unknown", message: error instanceof Error ? error.message : String(error) };
}
