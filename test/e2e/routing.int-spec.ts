import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { jetstream } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { HEADERS, type Job, type ReplayRequest, STREAMS, SUBJECTS } from "@hookstream/contracts";
import { TestDestination } from "../support/destinations";
import { eventually, sleep } from "../support/eventually";
import { TestStack } from "../support/stack";

// Routing only: ingress and router, jobs read back from JOBS.
const stack = new TestStack();
const dest = new TestDestination(TestDestination.secret("routing"));
let delivery = 0;

async function jobsFor(eventId: string): Promise<Job[]> {
  const info = await stack.jsm.streams.info(STREAMS.jobs);
  const jobs: Job[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await stack.jsm.streams.getMessage(STREAMS.jobs, { seq });
    const job = m?.json<Job>();
    if (job && job.event.id === eventId) jobs.push(job);
  }
  return jobs;
}

async function send(type: string, payload: unknown): Promise<string> {
  const id = `r-${++delivery}`;
  expect((await stack.sendGithub({ event: type, delivery: id, body: payload })).status).toBe(202);
  return id;
}

// duration_ms is written once every job's PubAck came back (the row itself exists from the start of routing).
const routed = (id: string) =>
  eventually(async () => (await stack.db.query("SELECT 1 FROM routed_events WHERE event_id = $1 AND duration_ms IS NOT NULL", [id])).length === 1, `${id} routed`);

beforeAll(async () => {
  await dest.start();
  await stack.start({}, ["ingress", "router"]);
});
afterAll(async () => {
  await stack.stop();
  await dest.stop();
});

describe("routing", () => {
  it("matches exact, account-wide and global subscriptions, with event-type and action filters", async () => {
    await stack.subscribe({ workspaceId: "exact", resource: "acme/api" });
    await stack.subscribe({ workspaceId: "org", resource: "acme/*" });
    await stack.subscribe({ workspaceId: "all", resource: "*" });
    await stack.subscribe({ workspaceId: "closed-only", resource: "acme/*", eventTypes: ["pull_request"], actions: ["closed"] } as never);
    await stack.subscribe({ workspaceId: "elsewhere", resource: "other/*" });

    const opened = await send("pull_request", { action: "opened", repository: { full_name: "acme/api" } });
    const closed = await send("pull_request", { action: "closed", repository: { full_name: "acme/web" } });
    await routed(opened);
    await routed(closed);
    expect((await jobsFor(opened)).map((j) => j.workspaceId).sort()).toEqual(["all", "exact", "org"]);
    expect((await jobsFor(closed)).map((j) => j.workspaceId).sort()).toEqual(["all", "closed-only", "org"]);
  });

  it("applies a subscription change before the admin API answers", async () => {
    await stack.subscribe({ workspaceId: "late", resource: "late/repo" });
    const id = await send("push", { repository: { full_name: "late/repo" } });
    await routed(id);
    expect((await jobsFor(id)).map((j) => j.workspaceId)).toContain("late");
  });

  it.each([
    ["before this replica starts reloading", 0],
    // The announcement's reload has begun (its read waits for the lock) when the event arrives.
    ["while this replica's reload is under way", 300],
  ])("routes with a change another replica made, for an event that comes %s", async (_when, eventAfterMs) => {
    // What another router replica's admin API does: the row, then the announcement on SUBSCRIPTIONS. This replica
    // hears of it only through the announcement; its reload is held up (the table locked) while the event arrives.
    const js = jetstream(stack.nc);
    const [workspaceId, resource] = [`other-replica-${randomUUID().slice(0, 8)}`, `replica/${randomUUID().slice(0, 8)}`];
    await stack.db.query("INSERT INTO subscriptions (workspace_id, source, resource) VALUES ($1, 'github', $2)", [workspaceId, resource]);
    const lock = new Client({ connectionString: stack.db.url });
    await lock.connect();
    try {
      await lock.query("BEGIN; LOCK TABLE subscriptions IN ACCESS EXCLUSIVE MODE");
      const change = { kind: "upserted", source: "github", resource, workspaceId, cause: "admin", affected: 1, at: new Date().toISOString() };
      await js.publish(SUBJECTS.subscriptionChange("upserted"), JSON.stringify(change));
      await sleep(eventAfterMs);
      const id = `r-${++delivery}`;
      const event = { id, source: "github", type: "push", resource, receivedAt: new Date().toISOString(), headers: {}, payload: { repository: { full_name: resource } } };
      const h = natsHeaders();
      for (const [k, v] of [[HEADERS.eventId, id], [HEADERS.source, "github"], [HEADERS.eventType, "push"], [HEADERS.resource, resource]]) h.set(k!, v!);
      await js.publish(SUBJECTS.webhook("github", "push"), JSON.stringify(event), { msgID: id, headers: h });
      // Long enough for the router to take the event; it must wait for its index rather than route without the change.
      await sleep(500);
      await lock.query("COMMIT");
      await routed(id);
      expect((await jobsFor(id)).map((j) => j.workspaceId)).toContain(workspaceId);
    } finally {
      await lock.end();
    }
  });

  it("follows a renamed repository and records the change as an event", async () => {
    await stack.subscribe({ workspaceId: "follower", resource: "acme/old-name" });
    const rename = await send("repository", { action: "renamed", changes: { repository: { name: { from: "old-name" } } }, repository: { name: "new-name", full_name: "acme/new-name" } });
    await eventually(async () => (await stack.db.query("SELECT resource FROM subscriptions WHERE workspace_id = 'follower'"))[0]?.resource === "acme/new-name", "the rename applied");
    const after = await send("push", { repository: { full_name: "acme/new-name" } });
    await routed(after);
    expect((await jobsFor(after)).map((j) => j.workspaceId)).toContain("follower");
    expect(rename).toBeDefined();
    const change = await stack.jsm.streams.getMessage(STREAMS.subscriptions, { last_by_subj: SUBJECTS.subscriptionChange("renamed") });
    expect(change!.json()).toMatchObject({ kind: "renamed", from: "acme/old-name", resource: "acme/new-name", cause: "github/repository.renamed", affected: 1 });
  });

  it("replays a stored event as new jobs linked to the originals, once per request", async () => {
    const original = await send("pull_request", { action: "opened", repository: { full_name: "acme/api" } });
    await routed(original);
    const [row] = await stack.db.query<{ stream_seq: string }>("SELECT stream_seq FROM routed_events WHERE event_id = $1", [original]);
    const request: ReplayRequest = {
      replayId: randomUUID(),
      eventId: original,
      eventSeq: Number(row!.stream_seq),
      workspaceId: "exact",
      requestedBy: "test",
      requestedAt: new Date().toISOString(),
    };
    const h = natsHeaders();
    h.set(HEADERS.msgId, request.replayId);
    const js = jetstream(stack.nc);
    // Published twice: a redelivered request must not double the jobs.
    await js.publish(SUBJECTS.replay("github", "pull_request"), JSON.stringify(request), { headers: h });
    await js.publish(SUBJECTS.replay("github", "pull_request"), JSON.stringify(request));
    await eventually(async () => (await jobsFor(original)).some((j) => j.replayOf), "replayed job");
    await sleep(500);
    const replayed = (await jobsFor(original)).filter((j) => j.replayOf);
    expect(replayed).toEqual([expect.objectContaining({ workspaceId: "exact", replayOf: `${original}:exact`, jobId: `${original}:exact:replay:${request.replayId}` })]);
  });
});
