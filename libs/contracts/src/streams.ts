import type { StreamConfig } from "@nats-io/jetstream";
import { DiscardPolicy, RetentionPolicy, StorageType } from "@nats-io/jetstream";

/** Stream names: upper case so they stand out in `nats stream ls`. */
export const STREAMS = {
  /** Verified webhooks as received: the source of truth. */
  webhooks: "WEBHOOKS",
  /** One job per (event, workspace). Limits retention: the DLQ fetches a terminated job by sequence. */
  jobs: "JOBS",
  /** Job lifecycle events (attempts, outcomes), so history outlives any worker. */
  jobEvents: "JOB_EVENTS",
  /** JetStream advisories about JOBS and WEBHOOKS deliveries, kept while the DLQ manager is down. */
  advisories: "ADVISORIES",
  /** Requests to route stored events again (operator replays from the event log). */
  replays: "REPLAYS",
  /** Subscription changes (admin API, repository renames and removals): audit trail and cache invalidation. */
  subscriptions: "SUBSCRIPTIONS",
} as const;

export type StreamName = (typeof STREAMS)[keyof typeof STREAMS];

/** Anything outside [A-Za-z0-9_-] would split or break a subject token. */
export function subjectToken(value: string): string {
  const token = value.replace(/[^A-Za-z0-9_-]/g, "_");
  return token.length > 0 ? token : "_";
}

export const SUBJECTS = {
  webhook: (source: string, eventType: string) => `webhooks.${subjectToken(source)}.${subjectToken(eventType)}`,
  webhooksAll: "webhooks.>",
  job: (source: string, eventType: string) => `jobs.${subjectToken(source)}.${subjectToken(eventType)}`,
  jobsAll: "jobs.>",
  /**
   * `job-events.<mode>.<kind>.<JOBS stream sequence>`: one job's whole history is `job-events.*.*.<seq>`, and the
   * DLQ manager, which acts only on replays' outcomes, reads `job-events.replay.>` without being handed every job's.
   */
  jobEvent: (mode: ProcessingMode, kind: JobEventKind, jobSeq: number) => `job-events.${mode}.${kind}.${jobSeq}`,
  jobEventsOf: (jobSeq: number) => `job-events.*.*.${jobSeq}`,
  /**
   * One job's history as workers recorded it before the mode token (`job-events.<kind>.<seq>`): JOB_EVENTS keeps
   * it up to its max age after an upgrade, so it can go once that has passed.
   */
  jobEventsBeforeModeOf: (jobSeq: number) => `job-events.*.${jobSeq}`,
  replayJobEvents: "job-events.replay.>",
  jobEventsAll: "job-events.>",
  maxDeliveriesAdvisory: (stream: string) => `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.*`,
  terminatedAdvisory: (stream: string) => `$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${stream}.*`,
  /** `replays.<source>.<event>`: route a WEBHOOKS event again, as new jobs linked to the originals. */
  replay: (source: string, eventType: string) => `replays.${subjectToken(source)}.${subjectToken(eventType)}`,
  replaysAll: "replays.>",
  /** `subscriptions.<kind>`: every router replica listens, so a change applies everywhere at once. */
  subscriptionChange: (kind: SubscriptionChangeKind) => `subscriptions.${kind}`,
  subscriptionsAll: "subscriptions.>",
} as const;

/** Job lifecycle transitions; the job itself on JOBS is its "queued" event. */
export const SUBSCRIPTION_CHANGE_KINDS = ["upserted", "removed", "renamed"] as const;
export type SubscriptionChangeKind = (typeof SUBSCRIPTION_CHANGE_KINDS)[number];

export const JOB_EVENT_KINDS = ["attempt_failed", "succeeded", "dead_lettered", "started", "stale"] as const;
export type JobEventKind = (typeof JOB_EVENT_KINDS)[number];

/** `live` for a routed job, `replay` for one that replays an earlier job (DLQ and router replays set `replayOf`). */
export type ProcessingMode = "live" | "replay";
export const processingModeOf = (replayOf: string | undefined): ProcessingMode => (replayOf === undefined ? "live" : "replay");

const MS_NS = 1e6;
const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_NS = 60 * 1e9;

export interface StreamLimits {
  /** How long a message is kept, in milliseconds. */
  maxAgeMs: number;
  /**
   * -1 for unlimited (bounded by the server's store). With a limit, discard-new makes a full stream refuse new
   * messages (ingress answers 503, the provider retries) rather than drop history; ADVISORIES drops its oldest.
   */
  maxBytes: number;
  replicas: number;
}

export const DEFAULT_STREAM_LIMITS: Record<StreamName, StreamLimits> = {
  WEBHOOKS: { maxAgeMs: 30 * DAY_MS, maxBytes: -1, replicas: 1 },
  JOBS: { maxAgeMs: 7 * DAY_MS, maxBytes: -1, replicas: 1 },
  JOB_EVENTS: { maxAgeMs: 7 * DAY_MS, maxBytes: -1, replicas: 1 },
  ADVISORIES: { maxAgeMs: 30 * DAY_MS, maxBytes: -1, replicas: 1 },
  REPLAYS: { maxAgeMs: 7 * DAY_MS, maxBytes: -1, replicas: 1 },
  SUBSCRIPTIONS: { maxAgeMs: 365 * DAY_MS, maxBytes: -1, replicas: 1 },
};

/** Streams whose limits come from configuration (`<NAME>_MAX_AGE`, `<NAME>_MAX_BYTES`); the others keep the defaults. */
export const CONFIGURABLE_STREAMS = [STREAMS.webhooks, STREAMS.jobs, STREAMS.jobEvents, STREAMS.advisories] as const;

/** A stream's configuration as Hookstream wants it; a name is always set. */
export type StreamDefinition = Partial<StreamConfig> & { name: StreamName };

/** Repeats of a `Nats-Msg-Id` within this window are dropped; nats-server refuses a window longer than the max age. */
const DUPLICATE_WINDOW_NS = 2 * MINUTE_NS;

function base(name: StreamName, subjects: string[], limits: StreamLimits): StreamDefinition {
  const maxAge = limits.maxAgeMs * MS_NS;
  return {
    name,
    subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_age: maxAge,
    max_bytes: limits.maxBytes,
    num_replicas: limits.replicas,
    duplicate_window: Math.min(DUPLICATE_WINDOW_NS, maxAge),
  };
}

/** Every stream Hookstream needs, in the order they must exist. */
export function streamConfigs(limits: Record<StreamName, StreamLimits> = DEFAULT_STREAM_LIMITS): StreamDefinition[] {
  return [
    base(STREAMS.webhooks, [SUBJECTS.webhooksAll], limits.WEBHOOKS),
    base(STREAMS.jobs, [SUBJECTS.jobsAll], limits.JOBS),
    base(STREAMS.jobEvents, [SUBJECTS.jobEventsAll], limits.JOB_EVENTS),
    {
      ...base(
        STREAMS.advisories,
        [STREAMS.jobs, STREAMS.webhooks].flatMap((s) => [SUBJECTS.maxDeliveriesAdvisory(s), SUBJECTS.terminatedAdvisory(s)]),
        limits.ADVISORIES,
      ),
      // Advisories must never be refused for space: old ones go first.
      discard: DiscardPolicy.Old,
    },
    base(STREAMS.replays, [SUBJECTS.replaysAll], limits.REPLAYS),
    base(STREAMS.subscriptions, [SUBJECTS.subscriptionsAll], limits.SUBSCRIPTIONS),
  ];
}
