import { z } from "zod";
import { DEFAULT_STREAM_LIMITS, type StreamLimits, type StreamName, STREAMS } from "@hookstream/contracts";
import { commonEnv, durationList, type Env, loadConfig, natsEndpoint, natsEnv } from "@hookstream/platform";

const schedule = (backoff: string) =>
  z
    .object({ max: z.coerce.number().int().min(1), backoff: z.array(z.number()) })
    .refine((s) => s.max > s.backoff.length, { message: `must exceed the number of ${backoff} values (nats-server refuses the consumer otherwise)` });

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
    WEBHOOKS_MAX_AGE_DAYS: z.coerce.number().positive().default(DEFAULT_STREAM_LIMITS.WEBHOOKS.maxAgeDays),
    WEBHOOKS_MAX_BYTES: z.coerce.number().int().min(-1).default(DEFAULT_STREAM_LIMITS.WEBHOOKS.maxBytes),
  })
  .superRefine((e, ctx) => {
    for (const [max, backoff] of [["JOB_MAX_DELIVER", "JOB_BACKOFF"], ["ROUTER_MAX_DELIVER", "ROUTER_BACKOFF"]] as const) {
      const r = schedule(backoff).safeParse({ max: e[max], backoff: e[backoff] });
      if (!r.success) ctx.addIssue({ code: "custom", path: [max], message: r.error.issues[0]!.message });
    }
  })
  .transform((e) => {
    const limits = Object.fromEntries(
      Object.values(STREAMS).map((s) => [s, { ...DEFAULT_STREAM_LIMITS[s], replicas: e.STREAM_REPLICAS }]),
    ) as Record<StreamName, StreamLimits>;
    limits.WEBHOOKS = { maxAgeDays: e.WEBHOOKS_MAX_AGE_DAYS, maxBytes: e.WEBHOOKS_MAX_BYTES, replicas: e.STREAM_REPLICAS };
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
