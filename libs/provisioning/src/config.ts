import { z } from "zod";
import { CONFIGURABLE_STREAMS, DEFAULT_STREAM_LIMITS, type StreamLimits, type StreamName, STREAMS } from "@hookstream/contracts";
import { byteSize, commonEnv, duration, durationList, type Env, formatDuration, loadConfig, natsEndpoint, natsEnv } from "@hookstream/platform";

const schedule = (backoff: string) =>
  z
    .object({ max: z.coerce.number().int().min(1), backoff: z.array(z.number()) })
    .refine((s) => s.max > s.backoff.length, { message: `must exceed the number of ${backoff} values (nats-server refuses the consumer otherwise)` });

/**
 * How long a message may still be delivered after it was stored: every delivery's ack deadline, the last backoff
 * value standing for the deliveries past the list. A stream must keep a message at least that long, or it would
 * vanish between two retries without ever being dead-lettered.
 */
export function retrySpanMs(maxDeliver: number, backoffMs: number[]): number {
  if (backoffMs.length === 0) return 0;
  let span = 0;
  for (let i = 0; i < maxDeliver; i++) span += backoffMs[Math.min(i, backoffMs.length - 1)]!;
  return span;
}

/** `<NAME>_MAX_AGE` must be at least a second: 0 would mean "forever" to nats-server, which is not a safe default. */
const maxAge = (stream: StreamName) =>
  duration(formatDuration(DEFAULT_STREAM_LIMITS[stream].maxAgeMs)).refine((ms) => ms >= 1000, { message: "must be at least 1s" });
const maxBytes = (stream: StreamName) => byteSize(String(DEFAULT_STREAM_LIMITS[stream].maxBytes));

/** `WEBHOOKS_MAX_AGE`, `WEBHOOKS_MAX_BYTES`, `JOBS_MAX_AGE`, …: one pair per configurable stream. */
const streamLimitEnv = {
  WEBHOOKS_MAX_AGE: maxAge(STREAMS.webhooks),
  WEBHOOKS_MAX_BYTES: maxBytes(STREAMS.webhooks),
  JOBS_MAX_AGE: maxAge(STREAMS.jobs),
  JOBS_MAX_BYTES: maxBytes(STREAMS.jobs),
  JOB_EVENTS_MAX_AGE: maxAge(STREAMS.jobEvents),
  JOB_EVENTS_MAX_BYTES: maxBytes(STREAMS.jobEvents),
  ADVISORIES_MAX_AGE: maxAge(STREAMS.advisories),
  ADVISORIES_MAX_BYTES: maxBytes(STREAMS.advisories),
} satisfies Record<`${(typeof CONFIGURABLE_STREAMS)[number]}_MAX_${"AGE" | "BYTES"}`, z.ZodType>;

/**
 * Retry schedules and stream limits are properties of the JetStream consumers and streams, so they are set
 * here, once per install or upgrade; services read them back from the server.
 */
const schema = z
  .object({
    ...natsEnv,
    DATABASE_URL: commonEnv.DATABASE_URL,
    /** Deliveries of one job in all, the first included. */
    JOB_MAX_DELIVER: z.coerce.number().int().min(1).default(6),
    /** Delay before each redelivery; also each delivery's ack deadline (a consumer backoff replaces ack_wait). */
    JOB_BACKOFF: durationList("5s,30s,2m,10m,1h"),
    /** Jobs handed out across all workers and not yet acknowledged. */
    JOB_MAX_ACK_PENDING: z.coerce.number().int().min(1).default(1000),
    /** Routing fails only while PostgreSQL or NATS are away: retried for long, then dead-lettered. */
    ROUTER_MAX_DELIVER: z.coerce.number().int().min(1).default(20),
    ROUTER_BACKOFF: durationList("5s,30s,1m,2m,5m"),
    ROUTER_MAX_ACK_PENDING: z.coerce.number().int().min(1).default(256),
    /** `false` when NACK (GitOps) manages streams and consumers: only migrations run. */
    PROVISION_JETSTREAM: z.enum(["true", "false"]).default("true"),
    /** 1 for development, 3 in production (one per NATS node). */
    STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
    /** Stream retention: durations as everywhere (`30d`, `12h`), sizes in bytes or with a unit (`10GiB`), -1 unlimited. */
    ...streamLimitEnv,
    /** The old name, in days: refused with a pointer to the new one rather than silently ignored. */
    WEBHOOKS_MAX_AGE_DAYS: z.string().optional(),
  })
  .superRefine((e, ctx) => {
    for (const [max, backoff] of [["JOB_MAX_DELIVER", "JOB_BACKOFF"], ["ROUTER_MAX_DELIVER", "ROUTER_BACKOFF"]] as const) {
      const r = schedule(backoff).safeParse({ max: e[max], backoff: e[backoff] });
      if (!r.success) ctx.addIssue({ code: "custom", path: [max], message: r.error.issues[0]!.message });
    }
    for (const [age, max, backoff] of [["JOBS_MAX_AGE", "JOB_MAX_DELIVER", "JOB_BACKOFF"], ["WEBHOOKS_MAX_AGE", "ROUTER_MAX_DELIVER", "ROUTER_BACKOFF"]] as const) {
      const span = retrySpanMs(e[max], e[backoff]);
      if (e[age] <= span) ctx.addIssue({ code: "custom", path: [age], message: `must exceed the ${formatDuration(span)} that ${max} deliveries with ${backoff} can take, or messages expire while still being retried` });
    }
    if (e.WEBHOOKS_MAX_AGE_DAYS !== undefined) {
      ctx.addIssue({ code: "custom", path: ["WEBHOOKS_MAX_AGE_DAYS"], message: `was renamed: set WEBHOOKS_MAX_AGE=${e.WEBHOOKS_MAX_AGE_DAYS}d instead` });
    }
  })
  .transform((e) => {
    const limits = Object.fromEntries(
      Object.values(STREAMS).map((s) => [s, { ...DEFAULT_STREAM_LIMITS[s], replicas: e.STREAM_REPLICAS }]),
    ) as Record<StreamName, StreamLimits>;
    for (const s of CONFIGURABLE_STREAMS) limits[s] = { maxAgeMs: e[`${s}_MAX_AGE`], maxBytes: e[`${s}_MAX_BYTES`], replicas: e.STREAM_REPLICAS };
    return {
      nats: natsEndpoint(e),
      jetstream: e.PROVISION_JETSTREAM === "true",
      databaseUrl: e.DATABASE_URL,
      limits,
      jobs: { maxDeliver: e.JOB_MAX_DELIVER, backoffMs: e.JOB_BACKOFF, maxAckPending: e.JOB_MAX_ACK_PENDING },
      routing: { maxDeliver: e.ROUTER_MAX_DELIVER, backoffMs: e.ROUTER_BACKOFF, maxAckPending: e.ROUTER_MAX_ACK_PENDING },
    };
  });

export type ProvisionConfig = z.infer<typeof schema>;

export function loadProvisionConfig(env: Env = process.env): ProvisionConfig {
  return loadConfig(schema, env);
}
