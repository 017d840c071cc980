import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { CONSUMERS, type Job, type JobEvent, STREAMS, SUBJECTS } from "@hookstream/contracts";
import { runRebuild } from "../../services/dlq-manager/src/projection/rebuild";
import { loadRebuildConfig } from "../../services/dlq-manager/src/projection/rebuild.config";
import { TestDestination } from "../support/destinations";
import { eventually } from "../support/eventually";
import { READ_TOKEN, TestStack } from "../support/stack";

// The job lifecycle projection (background_jobs) in the DLQ manager, fed by the real worker through JOBS, JOB_EVENTS and ADVISORIES.
const secret = TestDestination.secret("lifecycle-destination");
const dest = new TestDestination(secret);
const stack = new TestStack();

interface ProjectedJob {
  job_seq: string;
  id: string | null;
  type: string | null;
  workspace_id: string | null;
  status: string;
  attempts: number;
  error: string | null;
  error_category: string | null;
  duration_ms: string | null;
  processing_mode: string | null;
  response_time_ms: number | null;
  webhook_source: string | null;
  webhook_event_type: string | null;
  affected_workspaces: number;
  created_at: Date | null;
  started_at: Date | null;
  completed_at: Date | null;
}

interface EventView {
  routingDurationMs: number | null;
  jobs: { workspaceId: string; jobId: string | null; status: string; attempts: number | null }[];
  nextCursor: string | null;
}

const pullRequest = (repo: string) => ({ action: "opened", number: 1, repository: { id: 1, full_name: repo } });

async function send(repo: string, delivery: string): Promise<void> {
  const res = await stack.sendGithub({ event: "pull_request", delivery, body: pullRequest(repo) });
  expect(res.status).toBe(202);
}

async function subscribe(workspaceId: string, repo: string): Promise<void> {
  await stack.subscribe({ workspaceId, resource: repo, destinationUrl: dest.url(`/${workspaceId}`), destinationSecret: secret });
}

const jobOf = async (jobId: string) => (await stack.db.query<ProjectedJob & Record<string, unknown>>("SELECT * FROM background_jobs WHERE id = $1", [jobId]))[0];

/** The job's row once it has reached `status`. */
const jobWhen = (jobId: string, status: string) => eventually(async () => {
  const row = await jobOf(jobId);
  return row?.status === status && row;
}, `${jobId} ${status} in background_jobs`);

/** Every job handled, retries included, and every transition projected. */
async function quiet(): Promise<void> {
  const consumers = [
    [STREAMS.jobs, CONSUMERS.workspaceWorker],
    [STREAMS.jobs, CONSUMERS.projectorJobs],
    [STREAMS.jobEvents, CONSUMERS.projectorEvents],
    [STREAMS.advisories, CONSUMERS.projectorAdvisories],
  ] as const;
  await eventually(async () => {
    for (const [stream, name] of consumers) {
      const info = await stack.jsm.consumers.info(stream, name);
      if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
    }
    return true;
  }, "the worker and the projector to be idle");
}

const all = () => stack.db.query("SELECT * FROM background_jobs ORDER BY job_seq");

const js = () => jetstream(stack.nc);
/** Events of routed jobs, as the worker records them. */
const publishEvent = (e: JobEvent, msgId: string) => js().publish(SUBJECTS.jobEvent("live", e.kind, e.jobSeq), JSON.stringify(e), { msgID: msgId });

beforeAll(async () => {
  await dest.start();
  // Three deliveries, 300 ms apart. The DLQ manager runs the projector.
  await stack.start({ JOB_BACKOFF: "300ms,300ms", JOB_MAX_DELIVER: "3" });
});

afterAll(async () => {
  await stack.stop();
  await dest.stop();
});

describe("the job lifecycle projection", () => {
  it("projects delivered jobs: queued, started, succeeded, with the event's fan-out", async () => {
    for (const ws of ["ok-1", "ok-2", "ok-3"]) await subscribe(ws, "acme/ok");
    await send("acme/ok", "e-ok");
    const row = await jobWhen("e-ok:ok-1", "succeeded");
    expect(row).toMatchObject({
      type: "webhook/pull_request",
      workspace_id: "ok-1",
      attempts: 1,
      error: null,
      processing_mode: "live",
      webhook_source: "github",
      webhook_event_type: "pull_request",
    });
    expect(row.started_at!.getTime()).toBeGreaterThanOrEqual(row.created_at!.getTime());
    expect(row.completed_at!.getTime()).toBeGreaterThanOrEqual(row.started_at!.getTime());
    expect(Number(row.duration_ms)).toBe(row.completed_at!.getTime() - row.created_at!.getTime());
    expect(row.response_time_ms).toEqual(expect.any(Number));
    await jobWhen("e-ok:ok-3", "succeeded");
    await eventually(async () => (await jobOf("e-ok:ok-2"))?.affected_workspaces === 3, "the fan-out counted on every job");
    // The worker published the start too.
    const started = await stack.jsm.streams.getMessage(STREAMS.jobEvents, { last_by_subj: SUBJECTS.jobEvent("live", "started", Number(row.job_seq)) });
    expect(started!.json()).toMatchObject({ kind: "started", jobId: "e-ok:ok-1", attempt: 1 });
  });

  it("projects a job retried and then delivered, keeping the failure it recovered from", async () => {
    dest.answer("/flaky", (n) => (n < 2 ? 503 : 200));
    await subscribe("flaky", "acme/flaky");
    await send("acme/flaky", "e-flaky");
    expect(await jobWhen("e-flaky:flaky", "succeeded")).toMatchObject({
      attempts: 2,
      error: "destination answered 503",
      error_category: "external_api",
      affected_workspaces: 1,
    });
  });

  it("projects dead-lettered jobs from JetStream's advisories: retries spent, and terminated", async () => {
    dest.answer("/down", 500);
    dest.answer("/rejects", 422);
    await subscribe("down", "acme/down");
    await subscribe("rejects", "acme/rejects");
    await send("acme/down", "e-down");
    await send("acme/rejects", "e-rejects");
    const down = await jobWhen("e-down:down", "dead_lettered");
    expect(down).toMatchObject({ attempts: 3, error: "destination answered 500", error_category: "external_api" });
    expect(down.completed_at).not.toBeNull();
    expect(await jobWhen("e-rejects:rejects", "dead_lettered")).toMatchObject({ attempts: 1, error_category: "validation" });
  });

  it("ends the same whatever order transitions arrive in, and however often", async () => {
    // Transitions of a job not yet on JOBS, with the Nats-Msg-Ids the worker uses: its own copies are dropped.
    const seq = (await stack.jsm.streams.info(STREAMS.jobs)).state.last_seq + 1;
    const jobId = "e-early:early";
    const ids = { jobId, jobSeq: seq, workspaceId: "early" };
    const doneAt = new Date(Date.now() + 60_000).toISOString();
    await publishEvent({ kind: "succeeded", ...ids, attempt: 1, at: doneAt, durationMs: 5 }, `${seq}:1:succeeded`);
    await publishEvent({ kind: "started", ...ids, attempt: 1, at: new Date().toISOString() }, `${seq}:1:started`);
    await eventually(async () => (await stack.db.query("SELECT status FROM background_jobs WHERE job_seq = $1", [seq]))[0]?.status === "succeeded", "the early transitions");
    const job: Job = {
      jobId,
      workspaceId: "early",
      // No such subscription: the worker has nothing to deliver.
      subscriptionId: randomUUID(),
      event: { id: "e-early", seq: 1, source: "github", type: "push", resource: "acme/early", receivedAt: new Date().toISOString() },
    };
    const ack = await js().publish(SUBJECTS.job("github", "push"), JSON.stringify(job), { msgID: jobId });
    expect(ack.seq).toBe(seq);
    const row = await eventually(async () => {
      const r = await jobOf(jobId);
      return r?.type === "webhook/push" && r;
    }, "the job's own facts");
    expect(row).toMatchObject({ status: "succeeded", attempts: 1, workspace_id: "early", processing_mode: "live" });
    expect(row.completed_at!.toISOString()).toBe(doneAt);

    // A late start, a repeated failure and a repeated outcome, stored again under new ids, change nothing.
    await quiet();
    const flaky = (await jobOf("e-flaky:flaky"))!;
    const flakyIds = { jobId: "e-flaky:flaky", jobSeq: Number(flaky.job_seq), workspaceId: "flaky" };
    const before = await all();
    const startedAt = flaky.started_at!.getTime();
    await publishEvent({ kind: "started", ...flakyIds, attempt: 1, at: new Date(startedAt).toISOString() }, "late-start");
    const failure = { category: "external_api", message: "destination answered 503", status: 503 } as const;
    await publishEvent({ kind: "attempt_failed", ...flakyIds, attempt: 1, ...failure, at: new Date(startedAt + 1).toISOString(), durationMs: 1 }, "again-1");
    await publishEvent({ kind: "succeeded", ...flakyIds, attempt: 2, status: 200, at: flaky.completed_at!.toISOString(), durationMs: flaky.response_time_ms! }, "again-2");
    await quiet();
    expect(await all()).toEqual(before);
  });

  it("rebuilds from the streams exactly what it projected live", async () => {
    await quiet();
    const live = await all();
    expect(live).toHaveLength(7);
    // A row no stream backs any more (as after the streams' retention) goes with the rebuild.
    await stack.db.query("INSERT INTO background_jobs (job_seq, id, status, status_rank) VALUES (999999, 'gone', 'queued', 0)");
    const read = await runRebuild(loadRebuildConfig(stack.env));
    expect(read).toMatchObject({ [STREAMS.jobs]: live.length, [STREAMS.advisories]: 2 });
    expect(await all()).toEqual(live);
  });

  it("gives operators per-webhook metrics, stats by event type and a summary", async () => {
    const [metrics] = await stack.db.query("SELECT * FROM webhook_metrics WHERE event_id = 'e-ok'");
    expect(metrics).toMatchObject({ affected_workspaces: 3, jobs: "3", succeeded: "3", dead_lettered: "0", in_flight: "0", retried: "0" });
    expect(Number(metrics!.fanout_duration_ms)).toBeGreaterThanOrEqual(0);
    const [stats] = await stack.db.query("SELECT * FROM get_webhook_stats('1 hour') WHERE webhook_event_type = 'pull_request'");
    expect(stats).toMatchObject({ webhook_source: "github", webhooks: "4", jobs: "6", succeeded: "4", dead_lettered: "2", retried: "2", max_affected_workspaces: 3 });
    expect(Number(stats!.success_rate)).toBeCloseTo(4 / 6, 3);
    const [summary] = await stack.db.query("SELECT * FROM get_job_statistics_summary()");
    expect(summary).toMatchObject({ total_jobs: "7", succeeded: "5", dead_lettered: "2", queued: "0", started: "0", failed: "0", oldest_open_job_at: null });
  });
});

describe("GET /admin/events/:id", () => {
  it("answers where an event went and where each of its jobs stands, a page at a time", async () => {
    dest.answer("/mixed-3", 400);
    for (const ws of ["mixed-1", "mixed-2", "mixed-3"]) await subscribe(ws, "acme/mixed");
    await send("acme/mixed", "e-mixed");
    await jobWhen("e-mixed:mixed-3", "dead_lettered");
    await jobWhen("e-mixed:mixed-1", "succeeded");
    await jobWhen("e-mixed:mixed-2", "succeeded");

    const res = await stack.admin("router", "GET", "/admin/events/e-mixed", undefined, READ_TOKEN);
    expect(res.status).toBe(200);
    const body = (await res.json()) as EventView;
    expect(body).toMatchObject({ eventId: "e-mixed", source: "github", eventType: "pull_request", resource: "acme/mixed", jobCount: 3, jobsByStatus: { succeeded: 2, dead_lettered: 1 }, nextCursor: null });
    expect(body.routingDurationMs).toEqual(expect.any(Number));
    expect(body.jobs.map((j) => [j.workspaceId, j.status, j.attempts])).toEqual([
      ["mixed-1", "succeeded", 1],
      ["mixed-2", "succeeded", 1],
      ["mixed-3", "dead_lettered", 1],
    ]);
    expect(body.jobs[2]).toMatchObject({ jobId: "e-mixed:mixed-3", errorCategory: "validation", durationMs: expect.any(Number) });

    const first = (await (await stack.admin("router", "GET", "/admin/events/e-mixed?limit=2", undefined, READ_TOKEN)).json()) as EventView;
    expect(first.jobs.map((j) => j.workspaceId)).toEqual(["mixed-1", "mixed-2"]);
    expect(first.nextCursor).toBe("mixed-2");
    const rest = await (await stack.admin("router", "GET", `/admin/events/e-mixed?limit=2&cursor=${first.nextCursor}`, undefined, READ_TOKEN)).json();
    expect(rest).toMatchObject({ jobs: [expect.objectContaining({ workspaceId: "mixed-3" })], nextCursor: null });
  });

  it("answers 404 for an event never routed, and refuses callers without a token", async () => {
    expect((await stack.admin("router", "GET", "/admin/events/never-seen")).status).toBe(404);
    expect((await fetch(stack.url("router", "/admin/events/e-mixed"))).status).toBe(401);
    expect((await stack.admin("router", "GET", "/admin/events/e-mixed?limit=0")).status).toBe(400);
  });

  it("refuses an id or cursor with a NUL character (PostgreSQL text cannot hold one) as a bad request, not a 500", async () => {
    for (const path of ["/admin/events/%00", "/admin/events/e%00x", "/admin/events/e-mixed?cursor=%00"]) {
      const res = await stack.admin("router", "GET", path);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "invalid_request", message: expect.stringContaining("must not contain NUL characters") });
    }
  });
});
