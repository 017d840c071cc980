import { HEADERS, type Job, type ReplayRequest, STREAMS, SUBJECTS } from "@hookstream/contracts";
import type { DeadLetter } from "@hookstream/database";
import type { OutgoingMessage } from "@hookstream/jetstream";
import { isRetryable } from "./recovery.schedule";

export type ReplayTrigger = "automatic" | "manual" | "bulk";

export type ReplaySource = Pick<
  DeadLetter,
  "id" | "stream" | "streamSeq" | "subject" | "jobId" | "job" | "eventId" | "source" | "eventType" | "headers" | "status" | "errorCategory" | "nextRetryAt" | "replayCount"
>;

/** Why `entry` may not be replayed now, or null when it may. */
export function replayRefusal(entry: ReplaySource, trigger: ReplayTrigger, now: Date): string | null {
  if (entry.status === "retrying") return "a replay of this entry is already in flight";
  if (entry.status !== "pending" && entry.status !== "failed") return `the entry is ${entry.status}`;
  if (trigger === "automatic") {
    if (entry.status !== "pending" || !isRetryable(entry.errorCategory)) return "not automatically retryable";
    if (!entry.nextRetryAt || entry.nextRetryAt.getTime() > now.getTime()) return "not due";
  }
  if (entry.stream === STREAMS.jobs && !entry.job) return "the failed message is not a job envelope: there is nothing to replay";
  if (entry.stream === STREAMS.webhooks && (!entry.eventId || !entry.streamSeq || !entry.source || !entry.eventType)) return "the failed event could not be read";
  if (entry.stream !== STREAMS.jobs && entry.stream !== STREAMS.webhooks) return `messages of ${entry.stream} are not replayable`;
  return null;
}

export interface PlannedReplay {
  /** Where the message goes: JOBS for a job; REPLAYS for an event the router could not route. */
  stream: typeof STREAMS.jobs | typeof STREAMS.replays;
  message: OutgoingMessage;
}

/** The `n`th replay's job id, also its Nats-Msg-Id: a retried publish of the same replay adds nothing. */
export const replayJobId = (originalJobId: string, n: number) => `${originalJobId}:replay:${n}`;

/** The original job id inside a replay's job id made by replayJobId, or null for any other id. */
export function originalOfReplay(jobId: string): string | null {
  return /^(.+):replay:\d+$/.exec(jobId)?.[1] ?? null;
}

/**
 * The message that replays `entry` (which replayRefusal accepted). A job goes back to JOBS as it was, under a new
 * id linked to the original by `replayOf`; headers carry the original trace context for the publisher's link.
 * An event the router gave up on goes to REPLAYS, for the router to route again.
 */
export function planReplay(entry: ReplaySource, n: number, requestedBy: string, now: Date): PlannedReplay {
  if (entry.stream === STREAMS.jobs) {
    const job = entry.job!;
    const original = job.replayOf ?? job.jobId;
    const jobId = replayJobId(original, n);
    const data: Job = { ...job, jobId, replayOf: original };
    const headers = Object.fromEntries(Object.entries(entry.headers).filter(([k]) => k.toLowerCase() !== HEADERS.msgId.toLowerCase()));
    return {
      stream: STREAMS.jobs,
      message: {
        subject: entry.subject || SUBJECTS.job(job.event.source, job.event.type),
        data,
        msgId: jobId,
        headers: { ...headers, [HEADERS.jobId]: jobId, [HEADERS.replayOf]: original },
      },
    };
  }
  const request: ReplayRequest = {
    replayId: `${entry.id}:${n}`,
    eventId: entry.eventId!,
    eventSeq: Number(entry.streamSeq),
    requestedBy,
    requestedAt: now.toISOString(),
  };
  return { stream: STREAMS.replays, message: replayRequestMessage(request, entry.source!, entry.eventType!) };
}

/** A replay request on REPLAYS; its Nats-Msg-Id makes a retried publish of the same request add nothing. */
export function replayRequestMessage(request: ReplayRequest, source: string, eventType: string): OutgoingMessage {
  return {
    subject: SUBJECTS.replay(source, eventType),
    data: request,
    msgId: `${request.replayId}:${source}:${request.eventId}`,
    headers: { [HEADERS.eventId]: request.eventId, [HEADERS.source]: source, [HEADERS.eventType]: eventType },
  };
}
