import type { ConsumerConfig } from "@nats-io/jetstream";
import { AckPolicy, DeliverPolicy, ReplayPolicy } from "@nats-io/jetstream";
import { STREAMS, SUBJECTS, type StreamName } from "./streams";

/** Durable consumer names, as they appear in `nats consumer ls <stream>`. */
export const CONSUMERS = {
  router: "router",
  workspaceWorker: "workspace-worker",
  dlqManager: "dlq-manager",
  /** The router's consumer of replay requests. */
  routerReplays: "router-replays",
  /** The DLQ manager's view of replayed jobs' outcomes (succeeding, or found superseded). */
  dlqOutcomes: "dlq-outcomes",
  /** The job lifecycle projector (background_jobs): one consumer per stream it reads. */
  projectorJobs: "job-projector-jobs",
  projectorEvents: "job-projector-events",
  projectorAdvisories: "job-projector-advisories",
} as const;

export type ConsumerName = (typeof CONSUMERS)[keyof typeof CONSUMERS];

export interface ConsumerSpec {
  stream: StreamName;
  config: Partial<ConsumerConfig> & { durable_name: ConsumerName };
}

const MS_NS = 1e6;

export interface RetrySchedule {
  /** Total deliveries, the first one included; must exceed backoffMs.length. */
  maxDeliver: number;
  /** Delay before each redelivery. */
  backoffMs: number[];
  maxAckPending: number;
}

function pull(stream: StreamName, durable: ConsumerName, filter: string, extra: Partial<ConsumerConfig>): ConsumerSpec {
  return {
    stream,
    config: {
      ...extra,
      durable_name: durable,
      filter_subject: filter,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
    },
  };
}

/** The router's consumer on WEBHOOKS: a failed routing is retried (PostgreSQL down), never dropped silently. */
export function routerConsumer(schedule: RetrySchedule): ConsumerSpec {
  return pull(STREAMS.webhooks, CONSUMERS.router, SUBJECTS.webhooksAll, retryFields(schedule));
}

/**
 * The workers' consumer on JOBS. A consumer `backoff` replaces `ack_wait` (nats-server 2.9), so the first
 * backoff value is also the first delivery's deadline: workers send `working()` while a job runs.
 */
export function workerConsumer(schedule: RetrySchedule): ConsumerSpec {
  return pull(STREAMS.jobs, CONSUMERS.workspaceWorker, SUBJECTS.jobsAll, retryFields(schedule));
}

/** The DLQ manager's consumer on ADVISORIES: retried forever, since an advisory is the only trace of a failure. */
export function dlqConsumer(): ConsumerSpec {
  return pull(STREAMS.advisories, CONSUMERS.dlqManager, ">", { ack_wait: 30_000 * MS_NS, max_deliver: -1, max_ack_pending: 256 });
}

/** Replay requests: like routing, retried while PostgreSQL or NATS are away. */
export function routerReplaysConsumer(schedule: RetrySchedule): ConsumerSpec {
  return pull(STREAMS.replays, CONSUMERS.routerReplays, SUBJECTS.replaysAll, retryFields(schedule));
}

/**
 * Replayed jobs' events for the DLQ manager, the only outcomes it acts on; retried forever, like advisories. Its
 * filter was `job-events.>` before the mode token: nats-server 2.9 changes a durable's filter in place, keeping its
 * position, so provisioning updates it under the same name.
 */
export function dlqOutcomesConsumer(): ConsumerSpec {
  return pull(STREAMS.jobEvents, CONSUMERS.dlqOutcomes, SUBJECTS.replayJobEvents, { ack_wait: 30_000 * MS_NS, max_deliver: -1, max_ack_pending: 256 });
}

/**
 * The projector's consumers, retried forever: a transition it skipped would be missing until a rebuild. It never
 * terminates either, which matters on JOBS: a termination there would raise an advisory the DLQ manager acts on.
 * max_ack_pending leaves room for every replica's full batch in flight.
 */
const projector = { ack_wait: 30_000 * MS_NS, max_deliver: -1, max_ack_pending: 10_000 };

/** Queued jobs, for the projector. */
export function projectorJobsConsumer(): ConsumerSpec {
  return pull(STREAMS.jobs, CONSUMERS.projectorJobs, SUBJECTS.jobsAll, projector);
}

/** Started, failed attempt, succeeded and stale, for the projector. */
export function projectorEventsConsumer(): ConsumerSpec {
  return pull(STREAMS.jobEvents, CONSUMERS.projectorEvents, SUBJECTS.jobEventsAll, projector);
}

/**
 * Dead-lettered jobs. All advisories: nats-server 2.9 takes one filter, which could not name both kinds for one
 * consumer; the projector keeps those of the workers' consumer on JOBS (the stream holds failures only: few).
 */
export function projectorAdvisoriesConsumer(): ConsumerSpec {
  return pull(STREAMS.advisories, CONSUMERS.projectorAdvisories, ">", projector);
}

function retryFields(s: RetrySchedule): Partial<ConsumerConfig> {
  if (s.maxDeliver <= s.backoffMs.length) {
    throw new Error(`max_deliver (${s.maxDeliver}) must exceed the number of backoff values (${s.backoffMs.length})`);
  }
  return {
    max_deliver: s.maxDeliver,
    ack_wait: (s.backoffMs[0] ?? 30_000) * MS_NS,
    backoff: s.backoffMs.length > 0 ? s.backoffMs.map((ms) => ms * MS_NS) : undefined,
    max_ack_pending: s.maxAckPending,
  };
}
