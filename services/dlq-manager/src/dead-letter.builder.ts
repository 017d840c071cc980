import type { DeliveryAdvisory, ErrorCategory, Job, JobAttemptFailed, WebhookEvent } from "@hookstream/contracts";
import type { AttemptRecord } from "@hookstream/database";

export interface FailedMessage {
  subject: string;
  headers: Record<string, string>;
  /** The message body as JSON, or its text when it is not JSON, or base64 (see failedMessageBody). */
  body: unknown;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A failed message's body as PostgreSQL can store it in a jsonb column: its JSON, else its text, else (bytes that
 * are not UTF-8, or text holding U+0000, which jsonb refuses) `{ base64 }`. Anything may be published to a stream:
 * a body the entry could not store would fail the advisory for good, and the failure would have no entry.
 */
export function failedMessageBody(data: Uint8Array): unknown {
  const raw = { base64: Buffer.from(data).toString("base64") };
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return raw;
  }
  if (text.includes("\u0000")) return raw;
  try {
    const parsed: unknown = JSON.parse(text);
    // JSON may spell NUL as an escape: the parsed value holds it all the same.
    return JSON.stringify(parsed).includes("\\u0000") ? raw : parsed;
  } catch {
    return text;
  }
}

export interface NewDeadLetter {
  stream: string;
  streamSeq: number;
  subject: string;
  reason: "max_deliveries" | "terminated";
  /** The original job's id, also for a failed replay of it: one entry per job. */
  jobId: string | null;
  job: Job | null;
  eventId: string | null;
  source: string | null;
  eventType: string | null;
  workspaceId: string | null;
  destinationUrl: string | null;
  errorCategory: ErrorCategory;
  errorMessage: string | null;
  deliveryCount: number;
  attempts: AttemptRecord[];
  payload: unknown;
  headers: Record<string, string>;
  traceId: string | null;
  firstFailedAt: string | null;
  lastFailedAt: string | null;
}

/** The parts of a W3C traceparent (`00-<trace>-<span>-<flags>`), or null when it is not one. */
export function parseTraceparent(traceparent: string | undefined): { traceId: string; spanId: string; flags: number } | null {
  const m = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent ?? "");
  return m ? { traceId: m[1]!, spanId: m[2]!, flags: parseInt(m[3]!, 16) } : null;
}

/**
 * Everything an operator needs about one failure, from the advisory, the failed message (if still stored),
 * its recorded attempts and its event. Without attempts, a termination is a validation error (the message
 * itself was refused) and a max-deliveries failure is unknown (the worker died or timed out every time).
 */
export function buildDeadLetter(input: {
  advisory: DeliveryAdvisory;
  message: FailedMessage | null;
  job: Job | null;
  event: WebhookEvent | null;
  attempts: JobAttemptFailed[];
  destinationUrl: string | null;
}): NewDeadLetter {
  const { advisory, message, job, event, attempts } = input;
  const reason = advisory.type.endsWith("terminated") ? "terminated" : "max_deliveries";
  const last = attempts.at(-1);
  const eventBody = !job && message && typeof message.body === "object" ? (message.body as Partial<WebhookEvent>) : null;
  return {
    stream: advisory.stream,
    streamSeq: advisory.stream_seq,
    subject: message?.subject ?? "",
    reason,
    jobId: job ? (job.replayOf ?? job.jobId) : null,
    job,
    eventId: job?.event.id ?? event?.id ?? eventBody?.id ?? null,
    source: job?.event.source ?? event?.source ?? null,
    eventType: job?.event.type ?? event?.type ?? null,
    workspaceId: job?.workspaceId ?? null,
    destinationUrl: input.destinationUrl,
    errorCategory: last?.category ?? (reason === "terminated" ? "validation" : "unknown"),
    errorMessage: last?.message ?? (message ? null : `message #${advisory.stream_seq} is no longer in ${advisory.stream}`),
    deliveryCount: advisory.deliveries,
    attempts: attempts.map(({ jobSeq, attempt, category, message: m, status, at, durationMs }) => ({ jobSeq, attempt, category, message: m, status, at, durationMs })),
    payload: event?.payload ?? (job ? null : (message?.body ?? null)),
    headers: message?.headers ?? {},
    traceId: parseTraceparent(message?.headers.traceparent)?.traceId ?? null,
    firstFailedAt: attempts[0]?.at ?? null,
    lastFailedAt: last?.at ?? advisory.timestamp,
  };
}
