import { batchDeleteSql, moreBatches, RETENTION_TABLES, type RetentionAges, retentionTargets } from "./retention.plan";

const DAY = 86_400_000;
const NOW = new Date("2026-11-27T12:00:00Z");
const AGES: RetentionAges = { completedJobsMs: 7 * DAY, activityMs: 30 * DAY, closedDeadLettersMs: 30 * DAY, auditLogMs: 365 * DAY, routedEventsMs: 30 * DAY };
const cutoffs = (ages: RetentionAges, webhooksMaxAgeMs: number | null) =>
  Object.fromEntries(retentionTargets(ages, NOW, webhooksMaxAgeMs).map((t) => [t.table, (NOW.getTime() - t.cutoff.getTime()) / DAY]));

describe("retentionTargets", () => {
  it("gives every table its configured age", () => {
    expect(cutoffs(AGES, 30 * DAY)).toEqual({
      background_jobs: 7,
      workspace_activity: 30,
      dead_letter_queue: 30,
      dlq_operations: 30,
      dlq_processing_log: 30,
      dlq_audit_log: 365,
      routed_events: 30,
    });
  });

  it("keeps routed_events at least as long as WEBHOOKS keeps events, and not at all when that is unknown or unlimited", () => {
    expect(cutoffs({ ...AGES, routedEventsMs: 1 * DAY }, 45 * DAY).routed_events).toBe(45);
    expect(cutoffs({ ...AGES, routedEventsMs: 60 * DAY }, 45 * DAY).routed_events).toBe(60);
    expect(cutoffs(AGES, null).routed_events).toBeUndefined();
    expect(cutoffs(AGES, 0).routed_events).toBeUndefined();
  });

  it("leaves a table alone when its age is 0", () => {
    const tables = retentionTargets({ ...AGES, completedJobsMs: 0, auditLogMs: 0, routedEventsMs: 0 }, NOW, 30 * DAY).map((t) => t.table);
    expect(tables).toEqual(["workspace_activity", "dead_letter_queue", "dlq_operations", "dlq_processing_log"]);
  });

  it("only names finished things: completed jobs and closed dead letters", () => {
    const where = Object.fromEntries(retentionTargets(AGES, NOW, 30 * DAY).map((t) => [t.table, t.where]));
    expect(where.background_jobs).toMatch(/status IN \('succeeded', 'stale'\)/);
    expect(where.dead_letter_queue).toMatch(/^status IN \('resolved', 'discarded', 'reprocessed'\)/);
    expect(where.dlq_operations).toMatch(/status <> 'running'/);
    expect(RETENTION_TABLES).toEqual(Object.keys(where));
  });
});

describe("batches", () => {
  it("are one bounded statement that skips rows others hold", () => {
    expect(batchDeleteSql({ table: "dlq_audit_log", where: "at < $1" })).toBe(
      "DELETE FROM dlq_audit_log WHERE ctid = ANY(ARRAY(SELECT ctid FROM dlq_audit_log WHERE at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED))",
    );
  });

  it("go on only after a full batch, within the run's budget", () => {
    expect(moreBatches(500, 500, 1, 1000)).toBe(true);
    expect(moreBatches(499, 500, 1, 1000)).toBe(false);
    expect(moreBatches(0, 500, 1, 1000)).toBe(false);
    expect(moreBatches(500, 500, 1000, 1000)).toBe(false);
  });
});
