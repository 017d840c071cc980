import { z } from "zod";
import { ErrorCategory } from "./errors";
import { SUBSCRIPTION_CHANGE_KINDS } from "./streams";

export const WebhookSource = z.enum(["github", "stripe", "standard", "meta", "inngest", "hmac"]);
export type WebhookSource = z.infer<typeof WebhookSource>;

const id = z.string().min(1).max(256);

/** A verified webhook as stored on WEBHOOKS: what was received, minus its signatures. */
export const WebhookEvent = z.object({
  id,
  source: WebhookSource,
  /** Provider event type, e.g. `pull_request`. */
  type: z.string().min(1).max(128),
  /** What subscriptions match on, e.g. `acme/api` for a GitHub repository; null when the event names none. */
  resource: z.string().max(512).nullable(),
  receivedAt: z.iso.datetime(),
  /** Provider headers worth keeping (event, delivery, user agent); never the signature. */
  headers: z.record(z.string(), z.string()),
  payload: z.unknown(),
});
export type WebhookEvent = z.infer<typeof WebhookEvent>;

const utf8 = new TextEncoder();
const PAYLOAD_KEY = utf8.encode(',"payload":');

/**
 * The stored form of a WebhookEvent whose payload is the provider's body, already known to be valid JSON: the body's
 * bytes are spliced in rather than parsed and serialized again (a third of ingress's JSON work for an 8 KB body).
 * Decodes to the same object as `JSON.stringify({ ...event, payload: JSON.parse(body) })`.
 */
export function encodeWebhookEvent(event: Omit<WebhookEvent, "payload">, jsonBody: Uint8Array): Uint8Array {
  const head = utf8.encode(JSON.stringify(event));
  const out = new Uint8Array(head.length - 1 + PAYLOAD_KEY.length + jsonBody.length + 1);
  out.set(head.subarray(0, head.length - 1)); // without its closing brace
  out.set(PAYLOAD_KEY, head.length - 1);
  out.set(jsonBody, head.length - 1 + PAYLOAD_KEY.length);
  out[out.length - 1] = 0x7d; // }
  return out;
}

/**
 * One event for one workspace, on JOBS. It points at the event on WEBHOOKS instead of copying the payload,
 * so a fan-out to thousands of workspaces stores the body once.
 */
export const Job = z.object({
  jobId: id,
  workspaceId: id,
  subscriptionId: z.uuid(),
  event: z.object({
    id,
    seq: z.number().int().positive(),
    source: WebhookSource,
    type: z.string().min(1),
    resource: z.string().nullable(),
    receivedAt: z.iso.datetime(),
  }),
  /** Set when this job replays an earlier one. */
  replayOf: id.optional(),
  /**
   * How many workspaces the routing that queued this job reached: the projection's affected_workspaces, known
   * from the job itself rather than counted across the event's jobs. Absent on jobs queued before it existed.
   */
  fanout: z.number().int().positive().optional(),
  /**
   * The event itself, when this job is its only reader (routed to one workspace) and it is small: reading it back
   * from WEBHOOKS would cost a request per job, and copying it stores it no more often than the job's reference.
   */
  inlineEvent: WebhookEvent.optional(),
});
export type Job = z.infer<typeof Job>;

/** Events up to this size (as stored on WEBHOOKS) travel inside their only job; far below NATS's max payload. */
export const INLINE_EVENT_MAX_BYTES = 64 * 1024;

export const jobIdOf = (eventId: string, workspaceId: string) => `${eventId}:${workspaceId}`;

/** A failed attempt, on `job-events.<mode>.attempt_failed.<jobSeq>`: survives the worker and feeds the DLQ entry. */
export const JobAttemptFailed = z.object({
  kind: z.literal("attempt_failed"),
  jobId: id,
  jobSeq: z.number().int().positive(),
  workspaceId: id,
  attempt: z.number().int().positive(),
  category: ErrorCategory,
  message: z.string(),
  /** HTTP status from the destination, when it answered. */
  status: z.number().int().optional(),
  at: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
});
export type JobAttemptFailed = z.infer<typeof JobAttemptFailed>;

/** A job done, on `job-events.<mode>.succeeded.<jobSeq>`: lets the DLQ manager see a replay succeed. */
export const JobSucceeded = z.object({
  kind: z.literal("succeeded"),
  jobId: id,
  jobSeq: z.number().int().positive(),
  workspaceId: id,
  attempt: z.number().int().positive(),
  /** Set when the job replays an earlier, dead-lettered one. */
  replayOf: id.optional(),
  /** HTTP status from the destination, when there was one. */
  status: z.number().int().optional(),
  at: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
});
export type JobSucceeded = z.infer<typeof JobSucceeded>;

/** Which attempt of which job a job event is about, and when it happened. */
const attemptOf = {
  jobId: id,
  jobSeq: z.number().int().positive(),
  workspaceId: id,
  attempt: z.number().int().positive(),
  at: z.iso.datetime(),
};

/**
 * An attempt began, on `job-events.<mode>.started.<jobSeq>`. Published without waiting for the PubAck, so it may
 * be missing or stored after the attempt's outcome: readers order a job's events by attempt, never by arrival.
 */
export const JobStarted = z.object({ kind: z.literal("started"), ...attemptOf });
export type JobStarted = z.infer<typeof JobStarted>;

/**
 * A job acknowledged without being applied, on `job-events.<mode>.stale.<jobSeq>`: a newer job for the same
 * workspace and entity was applied first.
 */
export const JobStale = z.object({
  kind: z.literal("stale"),
  ...attemptOf,
  /** Set when the job replays an earlier one: the DLQ manager counts that one reprocessed. */
  replayOf: id.optional(),
  /** The entity the job would have changed, e.g. `github/pull_request/42`. */
  entity: z.string(),
  reason: z.string(),
  durationMs: z.number().nonnegative(),
});
export type JobStale = z.infer<typeof JobStale>;

/** Anything on JOB_EVENTS (dead-lettering is told by JetStream's advisories instead, on ADVISORIES). */
export const JobEvent = z.discriminatedUnion("kind", [JobStarted, JobAttemptFailed, JobSucceeded, JobStale]);
export type JobEvent = z.infer<typeof JobEvent>;

/**
 * Route a stored event again (on REPLAYS): its jobs get new Nats-Msg-Ids `<jobId>:replay:<replayId>` and
 * `replayOf` = the original job id. `workspaceId` limits the replay to one workspace.
 */
export const ReplayRequest = z.object({
  replayId: id,
  eventId: id,
  /** The event's sequence on WEBHOOKS. */
  eventSeq: z.number().int().positive(),
  workspaceId: id.optional(),
  requestedBy: z.string().max(64),
  requestedAt: z.iso.datetime(),
});
export type ReplayRequest = z.infer<typeof ReplayRequest>;

/** A subscription change, on `subscriptions.<kind>`. */
export const SubscriptionChange = z.object({
  kind: z.enum(SUBSCRIPTION_CHANGE_KINDS),
  source: WebhookSource,
  /** The resource concerned (for a rename, its new name). */
  resource: z.string(),
  /** For a rename or transfer: the old name. */
  from: z.string().optional(),
  /** Absent when the change concerns every workspace subscribed to the resource. */
  workspaceId: id.optional(),
  /** `admin` or the provider event that caused it (e.g. `github/repository.renamed`). */
  cause: z.string(),
  affected: z.number().int().nonnegative(),
  at: z.iso.datetime(),
});
export type SubscriptionChange = z.infer<typeof SubscriptionChange>;

/** The JetStream advisories the DLQ manager acts on (fields as nats-server 2.9 sends them). */
export const DeliveryAdvisory = z.object({
  type: z.enum(["io.nats.jetstream.advisory.v1.max_deliver", "io.nats.jetstream.advisory.v1.terminated"]),
  id: z.string(),
  timestamp: z.string(),
  stream: z.string(),
  consumer: z.string(),
  stream_seq: z.number().int().nonnegative(),
  deliveries: z.number().int().nonnegative(),
  reason: z.string().optional(),
});
export type DeliveryAdvisory = z.infer<typeof DeliveryAdvisory>;
