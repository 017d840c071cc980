import { join } from "node:path";
import { z } from "zod";
import { adminTokensEnv, adminTokensFrom, commonConfigFrom, commonEnv, duration, type Env, loadConfig, port } from "@hookstream/platform";
import { encryptionKeyEnv, keyringFrom } from "@hookstream/secrets";
import { retryDelays } from "./recovery.schedule";

const schema = z
  .object({
    ...commonEnv,
    ...adminTokensEnv,
    ...encryptionKeyEnv,
    DLQ_PORT: port(3003),
    /** Automatic retries of a transient failure; 0 turns automatic recovery off. */
    DLQ_RETRIES: z.coerce.number().int().min(0).max(50).default(5),
    /** Delay before the first automatic retry; later ones grow geometrically up to DLQ_RETRY_LAST. */
    DLQ_RETRY_FIRST: duration("5m"),
    DLQ_RETRY_LAST: duration("12h"),
    /** How often the leader looks for entries due for a retry. */
    DLQ_RECOVERY_INTERVAL: duration("30s"),
    /** Entries retried in one recovery run at most; the rest wait for the next run. */
    DLQ_RECOVERY_BATCH: z.coerce.number().int().min(1).max(10_000).default(100),
    /** Replays per second for bulk and event-log replays; a request may ask for fewer. */
    DLQ_REPLAY_RATE: z.coerce.number().int().min(1).max(5000).default(50),
    /** How often the leader deletes expired projection rows (see retention.plan for what goes, and when). */
    RETENTION_INTERVAL: duration("1h").refine((ms) => ms >= 1000, { message: "must be at least 1s" }),
    /** Rows one DELETE removes at most: each batch is its own short transaction. */
    RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
    /** Pause between two batches, so clean-up never crowds out the projector and the API. */
    RETENTION_BATCH_PAUSE: duration("100ms"),
    /** Ages past which rows are deleted; 0 keeps them forever. */
    RETENTION_COMPLETED_JOBS_AGE: duration("7d"),
    RETENTION_ACTIVITY_AGE: duration("30d"),
    RETENTION_CLOSED_DEAD_LETTERS_AGE: duration("30d"),
    RETENTION_AUDIT_LOG_AGE: duration("365d"),
    /** Never less than what the WEBHOOKS stream keeps (read from the server each run): see retention.plan. */
    RETENTION_ROUTED_EVENTS_AGE: duration("30d"),
    /** The console's link from an event to its trace, e.g. `https://grafana.example/explore?…{traceId}…`; unset: no link. */
    TRACE_URL_TEMPLATE: z
      .url({ protocol: /^https?$/ })
      .refine((u) => u.includes("{traceId}"), { message: "must contain {traceId}" })
      .optional(),
    /** The web console's built files (`npm run build` writes them beside the compiled services). */
    CONSOLE_DIR: z.string().min(1).default(join(__dirname, "..", "..", "..", "console")),
  })
  .refine((e) => e.DLQ_RETRY_LAST >= e.DLQ_RETRY_FIRST, { path: ["DLQ_RETRY_LAST"], message: "must not be shorter than DLQ_RETRY_FIRST" })
  .transform((e) => ({
    ...commonConfigFrom(e),
    port: e.DLQ_PORT,
    adminTokens: adminTokensFrom(e),
    recovery: {
      delaysMs: retryDelays(e.DLQ_RETRY_FIRST, e.DLQ_RETRY_LAST, e.DLQ_RETRIES),
      intervalMs: e.DLQ_RECOVERY_INTERVAL,
      batch: e.DLQ_RECOVERY_BATCH,
    },
    replayRate: e.DLQ_REPLAY_RATE,
    traceUrlTemplate: e.TRACE_URL_TEMPLATE ?? null,
    consoleDir: e.CONSOLE_DIR,
    keyring: keyringFrom(e),
    retention: {
      intervalMs: e.RETENTION_INTERVAL,
      batchSize: e.RETENTION_BATCH_SIZE,
      batchPauseMs: e.RETENTION_BATCH_PAUSE,
      ages: {
        completedJobsMs: e.RETENTION_COMPLETED_JOBS_AGE,
        activityMs: e.RETENTION_ACTIVITY_AGE,
        closedDeadLettersMs: e.RETENTION_CLOSED_DEAD_LETTERS_AGE,
        auditLogMs: e.RETENTION_AUDIT_LOG_AGE,
        routedEventsMs: e.RETENTION_ROUTED_EVENTS_AGE,
      },
    },
  }));

export type DlqConfig = z.infer<typeof schema>;
export const DLQ_CONFIG = Symbol("DLQ_CONFIG");

export function loadDlqConfig(env: Env = process.env): DlqConfig {
  return loadConfig(schema, env);
}
