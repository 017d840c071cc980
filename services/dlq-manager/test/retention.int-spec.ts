/**
 * Data lifecycle against the real PostgreSQL and nats-server: one clean-up pass removes only finished rows past
 * their age, one replica at a time; a stream provisioned with a short max age loses only its old messages.
 */
import { DataSource } from "typeorm";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { STREAMS, SUBJECTS } from "@hookstream/contracts";
import { dataSourceOptions } from "@hookstream/database";
import { connectNats } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import { describeUpdate, loadProvisionConfig, provision } from "@hookstream/provisioning";
import { createTestDatabase, startNatsServer, type TestDatabase, type TestNats, testEncryptionKey } from "@hookstream/testing";
import { eventually, sleep } from "../../../test/support/eventually";
import { type DlqConfig, loadDlqConfig } from "../src/config";
import { Leadership } from "../src/leadership";
import { RetentionMetrics } from "../src/retention.metrics";
import { RetentionRunner } from "../src/retention.runner";

let db: TestDatabase;
let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;
let config: DlqConfig;
const replicas: { runner: RetentionRunner; leadership: Leadership; metrics: MetricsService; ds: DataSource }[] = [];

/** One DLQ manager's clean-up: its own pool, leadership session and metrics, as in a separate replica. */
async function replica() {
  const ds = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
  const leadership = new Leadership(config);
  const metrics = new MetricsService("dlq-manager");
  const runner = new RetentionRunner(config, ds, leadership, new RetentionMetrics(metrics), jsm);
  const r = { runner, leadership, metrics, ds };
  replicas.push(r);
  return r;
}

const ago = (days: number) => new Date(Date.now() - days * 86_400_000);
let seq = 0;

async function job(status: string, completedDaysAgo: number | null, createdDaysAgo = completedDaysAgo ?? 0): Promise<string> {
  const id = `ev-${++seq}:ws-1`;
  await db.query(`INSERT INTO background_jobs (job_seq, id, status, status_rank, created_at, completed_at) VALUES ($1, $2, $3, 0, $4, $5)`, [
    seq,
    id,
    status,
    ago(createdDaysAgo),
    completedDaysAgo === null ? null : ago(completedDaysAgo),
  ]);
  return id;
}

async function deadLetter(status: string, closedDaysAgo: number, jobId: string | null = null): Promise<string> {
  const closed = ago(closedDaysAgo);
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO dead_letter_queue (stream, stream_seq, subject, reason, job_id, error_category, delivery_count, status, created_at, updated_at, resolved_at, reprocessed_at)
     VALUES ('JOBS', $1, 'jobs.github.issues', 'max_deliveries', $2, 'external_api', 6, $3, $4, $4, $5, $6) RETURNING id`,
    [++seq, jobId, status, ago(closedDaysAgo + 1), ["resolved", "discarded"].includes(status) ? closed : null, status === "reprocessed" ? closed : null],
  );
  await db.query(`INSERT INTO dlq_replays (entry_id, n, msg_id, trigger, requested_by, stream, requested_at) VALUES ($1, 1, $2, 'manual', 'ops', 'JOBS', $3)`, [row!.id, `r-${seq}`, closed]);
  return row!.id;
}

const ids = async (sql: string) => (await db.query<{ id: string }>(sql)).map((r) => String(r.id)).sort();
const deletedCounter = async (metrics: MetricsService, table: string) =>
  Number(new RegExp(`hookstream_retention_deleted_rows_total\\{[^}]*table="${table}"[^}]*\\} (\\d+)`).exec(await metrics.registry.metrics())?.[1]);

beforeAll(async () => {
  [db, nats] = await Promise.all([createTestDatabase(), startNatsServer()]);
  // WEBHOOKS as provisioning creates it by default: kept 30 days.
  await provision(loadProvisionConfig({ NATS_URL: nats.url, DATABASE_URL: db.url }));
  nc = await connectNats({ url: nats.url, name: "retention-test" });
  jsm = await jetstreamManager(nc);
  config = loadDlqConfig({
    NATS_URL: nats.url,
    DATABASE_URL: db.url,
    ADMIN_TOKEN: "retention-admin-token",
    HOOKSTREAM_ENCRYPTION_KEY: testEncryptionKey(),
    // Small batches, so a pass takes several of them.
    RETENTION_BATCH_SIZE: "2",
    RETENTION_BATCH_PAUSE: "10ms",
    RETENTION_COMPLETED_JOBS_AGE: "7d",
    RETENTION_ACTIVITY_AGE: "30d",
    RETENTION_CLOSED_DEAD_LETTERS_AGE: "30d",
    RETENTION_AUDIT_LOG_AGE: "365d",
    // Shorter than WEBHOOKS keeps events: the stream's 30 days win.
    RETENTION_ROUTED_EVENTS_AGE: "1d",
  });
});

afterAll(async () => {
  for (const r of replicas) {
    await r.leadership.onModuleDestroy();
    await r.ds.destroy();
  }
  await nc?.close();
  await Promise.all([db?.drop(), nats?.destroy()]);
});

describe("one clean-up pass", () => {
  const kept: Record<string, string[]> = {};

  beforeAll(async () => {
    kept.jobs = [
      await job("succeeded", 1),
      await job("queued", null, 90),
      await job("started", null, 90),
      await job("failed", null, 90),
      await job("dead_lettered", 90),
    ];
    const openEntryJob = kept.jobs[4]!;
    const closedEntryJob = await job("dead_lettered", 90);
    for (let i = 0; i < 5; i++) await job("succeeded", 8 + i);
    await job("stale", 10);

    kept.entries = [
      await deadLetter("pending", 100, openEntryJob),
      await deadLetter("failed", 100),
      await deadLetter("retrying", 100),
      await deadLetter("resolved", 29),
    ];
    await deadLetter("resolved", 31, closedEntryJob);
    await deadLetter("discarded", 45);
    await deadLetter("reprocessed", 60);

    for (const [event, days] of [["a-old", 31], ["a-new", 29]] as const) {
      await db.query(`INSERT INTO workspace_activity (event_id, workspace_id, job_id, source, event_type, received_at, recorded_at) VALUES ($1, 'ws-1', $1, 'github', 'issues', $2, $2)`, [event, ago(days)]);
    }
    for (const [event, days] of [["r-old", 31], ["r-guard", 10]] as const) {
      await db.query(`INSERT INTO routed_events (source, event_id, event_type, stream_seq, received_at, routed_at) VALUES ('github', $1, 'issues', 1, $2, $2)`, [event, ago(days)]);
    }
    for (const days of [400, 10]) await db.query(`INSERT INTO dlq_audit_log (at, actor, action, outcome) VALUES ($1, 'ops', 'resolve', 'ok')`, [ago(days)]);
    for (const [status, days] of [["done", 40], ["running", 40], ["done", 5]] as const) {
      await db.query(`INSERT INTO dlq_operations (kind, requested_by, filter, rate, status, total, updated_at, finished_at) VALUES ('dlq_replay', 'ops', '{}', 10, $1, 1, $2, $3)`, [
        status,
        ago(days),
        status === "done" ? ago(days) : null,
      ]);
    }
    for (const days of [40, 1]) {
      await db.query(`INSERT INTO dlq_processing_log (instance, started_at, due, replayed, skipped, errors) VALUES ('i', $1, 0, 0, 0, 0)`, [ago(days)]);
    }
  });

  it("deletes only finished rows past their age", async () => {
    const { runner, metrics } = await replica();
    const run = await runner.run();
    expect(run?.deleted).toEqual({
      background_jobs: 7,
      workspace_activity: 1,
      dead_letter_queue: 3,
      dlq_operations: 1,
      dlq_processing_log: 1,
      dlq_audit_log: 1,
      routed_events: 1,
    });

    expect(await ids(`SELECT id FROM background_jobs`)).toEqual([...kept.jobs!].sort());
    expect(await ids(`SELECT id FROM dead_letter_queue`)).toEqual([...kept.entries!].sort());
    // Replays of the deleted entries went with them.
    expect(await ids(`SELECT entry_id AS id FROM dlq_replays`)).toEqual([...kept.entries!].sort());
    expect(await ids(`SELECT event_id AS id FROM workspace_activity`)).toEqual(["a-new"]);
    // 10 days old: past its own 1 day, but WEBHOOKS still keeps events for 30, so the dedupe guard stays.
    expect(await ids(`SELECT event_id AS id FROM routed_events`)).toEqual(["r-guard"]);
    expect(await db.query(`SELECT status, finished_at IS NULL AS open FROM dlq_operations ORDER BY status`)).toEqual([
      { status: "done", open: false },
      { status: "running", open: true },
    ]);
    expect(await db.query(`SELECT count(*)::int AS n FROM dlq_audit_log WHERE at < now() - interval '365 days'`)).toEqual([{ n: 0 }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM dlq_audit_log`)).toEqual([{ n: 1 }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM dlq_processing_log`)).toEqual([{ n: 1 }]);

    expect(await deletedCounter(metrics, "background_jobs")).toBe(7);
    expect(await deletedCounter(metrics, "routed_events")).toBe(1);
    const text = await metrics.registry.metrics();
    expect(Number(/hookstream_retention_last_run_timestamp_seconds\{[^}]*\} (\S+)/.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/hookstream_retention_runs_total\{[^}]*outcome="ok"[^}]*\} 1/);
  });

  it("a second pass finds nothing more", async () => {
    const [first] = replicas;
    expect((await first!.runner.run())?.deleted).toEqual({
      background_jobs: 0,
      workspace_activity: 0,
      dead_letter_queue: 0,
      dlq_operations: 0,
      dlq_processing_log: 0,
      dlq_audit_log: 0,
      routed_events: 0,
    });
  });
});

describe("leadership", () => {
  it("only the replica holding the lock deletes; another takes over when it is gone", async () => {
    const [leader] = replicas;
    const other = await replica();
    const aged = [await job("succeeded", 20), await job("succeeded", 20)];
    expect(await other.runner.run()).toBeNull();
    expect(await ids(`SELECT id FROM background_jobs WHERE id IN ('${aged.join("','")}')`)).toEqual(aged.sort());

    await leader!.leadership.onModuleDestroy();
    expect((await other.runner.run())?.deleted.background_jobs).toBe(2);
    expect(await deletedCounter(other.metrics, "background_jobs")).toBe(2);
  });

  it("of two replicas starting a pass at once, one runs it", async () => {
    for (const r of replicas) await r.leadership.onModuleDestroy();
    const [a, b] = [await replica(), await replica()];
    for (let i = 0; i < 5; i++) await job("stale", 30);
    const runs = await Promise.all([a.runner.run(), b.runner.run()]);
    expect(runs.filter((r) => r === null)).toHaveLength(1);
    expect(runs.find((r) => r !== null)?.deleted.background_jobs).toBe(5);
    expect((await deletedCounter(a.metrics, "background_jobs")) + (await deletedCounter(b.metrics, "background_jobs"))).toBe(5);
  });
});

describe("stream retention", () => {
  it("updates the max age of an existing stream from configuration, saying what changed", async () => {
    const result = await provision(loadProvisionConfig({ NATS_URL: nats.url, DATABASE_URL: db.url, JOB_EVENTS_MAX_AGE: "3s" }));
    const lines = result.jetstream.updated.map(describeUpdate);
    expect(lines).toEqual(["stream JOB_EVENTS: max_age 7d → 3s (older messages are removed now), duplicate_window 2m → 3s"]);
    expect((await jsm.streams.info(STREAMS.jobEvents)).config.max_age).toBe(3e9);
    // Idempotent: nothing more to change.
    expect((await provision(loadProvisionConfig({ NATS_URL: nats.url, DATABASE_URL: db.url, JOB_EVENTS_MAX_AGE: "3s" }))).jetstream.updated).toEqual([]);
  });

  it("removes messages past the max age and keeps the newer ones", async () => {
    const js = jetstream(nc);
    const publish = async (n: number) => {
      const seqs: number[] = [];
      for (let i = 0; i < n; i++) seqs.push((await js.publish(SUBJECTS.jobEvent("live", "succeeded", 1000 + i), "{}")).seq);
      return seqs;
    };
    const old = await publish(4);
    // Half the max age apart: the old ones expire while the new ones still have 1.5 s to go.
    await sleep(1500);
    const fresh = await publish(3);
    const state = await eventually(async () => {
      const s = (await jsm.streams.info(STREAMS.jobEvents)).state;
      return s.first_seq > old.at(-1)! && s;
    }, "the old messages to expire", 15_000);
    expect({ first: state.first_seq, messages: state.messages }).toEqual({ first: fresh[0], messages: fresh.length });
    expect(await jsm.streams.getMessage(STREAMS.jobEvents, { seq: old[0]! })).toBeNull();
    expect((await jsm.streams.getMessage(STREAMS.jobEvents, { seq: fresh.at(-1)! }))?.seq).toBe(fresh.at(-1));
  });
});
