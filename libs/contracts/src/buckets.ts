import { z } from "zod";

/** JetStream KV buckets Hookstream creates (provisioning) and shares between services. */
export const BUCKETS = {
  /** Destination hosts whose circuit breaker is open or half-open, per worker process (the console shows them). */
  circuitBreakers: "hookstream_circuit_breakers",
} as const;

/**
 * A breaker's key lives this long after its last write. Workers rewrite their open breakers every
 * BREAKER_STATE_REFRESH_MS, so a worker that died leaves no stale state behind for long.
 */
export const BREAKER_STATE_TTL_MS = 90_000;
export const BREAKER_STATE_REFRESH_MS = 30_000;

/** Every KV bucket Hookstream needs, as provisioning (or NACK) creates it. */
export const bucketConfigs = (replicas: number) => [{ name: BUCKETS.circuitBreakers, ttlMs: BREAKER_STATE_TTL_MS, history: 1, replicas }];
export type BucketDefinition = ReturnType<typeof bucketConfigs>[number];

export const BreakerStateRecord = z.object({
  host: z.string().min(1).max(512),
  state: z.enum(["open", "half_open"]),
  /** The worker process holding this breaker (breakers are per process). */
  worker: z.string().min(1).max(256),
  at: z.iso.datetime(),
  /** When an open breaker next lets a probe through. */
  retryAt: z.iso.datetime().nullable(),
});
export type BreakerStateRecord = z.infer<typeof BreakerStateRecord>;

/** `<worker>.<host>`, each as base64url: KV keys allow only [-/_=.A-Za-z0-9], and hosts carry `:`. */
export const breakerKey = (worker: string, host: string) => `${Buffer.from(worker).toString("base64url")}.${Buffer.from(host).toString("base64url")}`;
