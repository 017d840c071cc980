import { jetstream } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { Kvm } from "@nats-io/kv";
import { cacheBucketName, HEADERS, type Job, STREAMS } from "@hookstream/contracts";
import { TestDestination } from "../../../test/support/destinations";
import { eventually } from "../../../test/support/eventually";
import { TestStack } from "../../../test/support/stack";
import { jobEvents, pullRequest, push, sendGithub, sendStripe, STRIPE_SECRET, workerMetric } from "./worker.support";

const secret = TestDestination.secret("handlers");
const dest = new TestDestination(secret);
const stack = new TestStack();

jest.setTimeout(120_000);

beforeAll(async () => {
  await dest.start();
  await stack.start({ STRIPE_WEBHOOK_SECRET: STRIPE_SECRET });
});

afterAll(async () => {
  await stack.stop();
  await dest.stop();
});

const subscribe = (workspaceId: string, resource: string, source = "github") =>
  stack.subscribe({ workspaceId, resource, source, destinationUrl: dest.url(`/${workspaceId}`), destinationSecret: secret });

const outcome = (jobId: string) =>
  eventually(async () => (await jobEvents(stack, jobId)).find((e) => e.kind === "succeeded" || e.kind === "stale" || e.kind === "attempt_failed"), `an outcome for ${jobId}`);

describe("stale events", () => {
  it("skips a GitHub pull request event older than the one last applied to the same workspace and entity", async () => {
    await subscribe("st-1", "acme/stale");
    await sendGithub(stack, "pull_request", "pr-new", pullRequest("acme/stale", 42, "2026-11-27T10:00:05Z"));
    expect(await outcome("pr-new:st-1")).toMatchObject({ kind: "succeeded" });
    // A workspace that never saw the newer event applies the older one.
    await subscribe("st-2", "acme/stale");
    await sendGithub(stack, "pull_request", "pr-old", pullRequest("acme/stale", 42, "2026-11-27T10:00:01Z"));

    expect(await outcome("pr-old:st-1")).toMatchObject({ kind: "stale", entity: "github/pull_request/42", reason: expect.stringContaining("pr-new") });
    expect(await outcome("pr-old:st-2")).toMatchObject({ kind: "succeeded" });
    // Another pull request, and the same time again (events of one second), are not stale.
    await sendGithub(stack, "pull_request", "pr-other", pullRequest("acme/stale", 43, "2026-11-27T09:00:00Z"));
    await sendGithub(stack, "pull_request", "pr-same", pullRequest("acme/stale", 42, "2026-11-27T10:00:05Z"));
    expect(await outcome("pr-other:st-1")).toMatchObject({ kind: "succeeded" });
    expect(await outcome("pr-same:st-1")).toMatchObject({ kind: "succeeded" });

    expect(dest.on("/st-1").map((d) => d.id).sort()).toEqual(["pr-new:st-1", "pr-other:st-1", "pr-same:st-1"]);
    expect(dest.on("/st-2").map((d) => d.id).sort()).toEqual(["pr-old:st-2", "pr-other:st-2", "pr-same:st-2"]);
    const [row] = await stack.db.query("SELECT version_at, event_id FROM entity_versions WHERE workspace_id = 'st-2' AND entity = 'pull_request/42'");
    expect(row).toEqual({ version_at: new Date("2026-11-27T10:00:05Z"), event_id: "pr-same" });
    expect(await workerMetric(stack, "hookstream_jobs_stale_total", { source: "github" })).toBe(1);
  });

  it("skips a Stripe event older than the one applied for the same object", async () => {
    await subscribe("st-stripe", "acct_stale", "stripe");
    const invoice = (id: string, type: string, created: number) => ({ id, type, account: "acct_stale", created, data: { object: { id: "in_1", object: "invoice" } } });
    await sendStripe(stack, invoice("evt_paid", "invoice.paid", 1_790_000_010));
    expect(await outcome("evt_paid:st-stripe")).toMatchObject({ kind: "succeeded" });
    await sendStripe(stack, invoice("evt_created", "invoice.created", 1_790_000_000));
    expect(await outcome("evt_created:st-stripe")).toMatchObject({ kind: "stale", entity: "stripe/in_1" });
    expect(dest.on("/st-stripe").map((d) => d.id)).toEqual(["evt_paid:st-stripe"]);
  });
});

describe("workspace activity aggregation", () => {
  it("collapses 50 pushes into one row per workspace, repository, event type and day, counting each job once", async () => {
    await stack.subscribe({ workspaceId: "agg", resource: "acme/agg" });
    await Promise.all(Array.from({ length: 50 }, (_, i) => sendGithub(stack, "push", `agg-${i}`, push("acme/agg", i))));
    await sendGithub(stack, "issues", "agg-issue", { action: "opened", issue: { id: 1 }, repository: { full_name: "acme/agg" } });
    const count = () => stack.db.query<{ event_type: string; event_count: number }>("SELECT event_type, event_count FROM workspace_activity_daily WHERE workspace_id = 'agg' ORDER BY 1");
    await eventually(async () => (await count()).find((r) => r.event_type === "push")?.event_count === 50, "50 pushes counted", 30_000);

    // The same job once more (a redelivery after a lost ack looks the same): it changes nothing.
    const again = await stack.jsm.streams.getMessage(STREAMS.jobs, { last_by_subj: "jobs.github.push" });
    const jobId = again!.json<Job>().jobId;
    const h = natsHeaders();
    h.set(HEADERS.msgId, "agg-again");
    const { seq } = await jetstream(stack.nc).publish(again!.subject, again!.data, { headers: h, msgID: "agg-again" });
    await eventually(async () => (await jobEvents(stack, jobId)).some((e) => e.jobSeq === seq && e.kind === "succeeded"), "the job run again");

    const rows = await stack.db.query("SELECT source, resource, event_type, event_count, day FROM workspace_activity_daily WHERE workspace_id = 'agg' ORDER BY event_type");
    const today = new Date(new Date().toISOString().slice(0, 10));
    expect(rows).toEqual([
      { source: "github", resource: "acme/agg", event_type: "issues", event_count: 1, day: expect.any(Date) },
      { source: "github", resource: "acme/agg", event_type: "push", event_count: 50, day: expect.any(Date) },
    ]);
    expect((rows[1]!.day as Date).toISOString().slice(0, 10)).toBe(today.toISOString().slice(0, 10));
    const [activity] = await stack.db.query<{ n: number }>("SELECT count(*)::int AS n FROM workspace_activity WHERE workspace_id = 'agg'");
    expect(activity!.n).toBe(51);
  });
});

describe("cache invalidation", () => {
  const kvm = () => new Kvm(stack.nc);
  const keys = async (bucket: string) => {
    const found: string[] = [];
    for await (const k of await (await kvm().open(bucket)).keys()) found.push(k);
    return found.sort();
  };

  it("drops a repository's keys from its workspaces' KV buckets on a push, and leaves the rest", async () => {
    // One id that is a valid bucket name, one that is not (its bucket is named by its digest).
    for (const ws of ["kv-1", "team.kv"]) {
      const kv = await kvm().create(cacheBucketName(ws));
      for (const key of ["github.acme/kv.readme", "github.acme/kv.pulls.open", "github.acme/other.readme"]) await kv.put(key, "cached");
      await stack.subscribe({ workspaceId: ws, resource: "acme/kv" });
    }
    // A workspace without a bucket caches nothing: its job just succeeds.
    await stack.subscribe({ workspaceId: "kv-none", resource: "acme/kv" });
    await sendGithub(stack, "push", "kv-push", push("acme/kv"));

    for (const ws of ["kv-1", "team.kv", "kv-none"]) expect(await outcome(`kv-push:${ws}`)).toMatchObject({ kind: "succeeded" });
    for (const ws of ["kv-1", "team.kv"]) expect(await keys(cacheBucketName(ws))).toEqual(["github.acme/other.readme"]);
    expect(await workerMetric(stack, "hookstream_cache_invalidations_total", { outcome: "dropped" })).toBe(2);
    expect(await workerMetric(stack, "hookstream_cache_invalidations_total", { outcome: "no_bucket" })).toBeGreaterThanOrEqual(1);
  });

  it("drops keys from a bucket created after its workspace was found to have none", async () => {
    await stack.subscribe({ workspaceId: "kv-late", resource: "acme/late" });
    await sendGithub(stack, "push", "late-1", push("acme/late", 1));
    expect(await outcome("late-1:kv-late")).toMatchObject({ kind: "succeeded" });
    // JetStream announces the new bucket's stream: the worker stops taking the workspace for one without a cache.
    const kv = await kvm().create(cacheBucketName("kv-late"));
    await kv.put("github.acme/late.readme", "cached");
    await sendGithub(stack, "push", "late-2", push("acme/late", 2));
    expect(await outcome("late-2:kv-late")).toMatchObject({ kind: "succeeded" });
    expect(await keys(cacheBucketName("kv-late"))).toEqual([]);
  });

  it("drops a Stripe customer's keys when one of its objects changes", async () => {
    const kv = await kvm().create(cacheBucketName("kv-stripe"));
    for (const key of ["stripe.cus_9.invoices", "stripe.cus_8.invoices"]) await kv.put(key, "cached");
    await subscribe("kv-stripe", "acct_kv", "stripe");
    await sendStripe(stack, { id: "evt_kv", type: "invoice.paid", account: "acct_kv", created: 1_790_000_000, data: { object: { id: "in_9", customer: "cus_9" } } });
    expect(await outcome("evt_kv:kv-stripe")).toMatchObject({ kind: "succeeded" });
    expect(await keys(cacheBucketName("kv-stripe"))).toEqual(["stripe.cus_8.invoices"]);
  });
});

describe("destinations", () => {
  it("delivers to a subscription's new destination once its change is announced, and nowhere once it is removed", async () => {
    const moved = new TestDestination(secret);
    await moved.start();
    try {
      await subscribe("dst-1", "acme/moves");
      await sendGithub(stack, "push", "moves-1", push("acme/moves", 1));
      await eventually(() => dest.on("/dst-1").length === 1, "the first delivery");
      // The same subscription (workspace, source, resource) with another URL: the router announces the change.
      await stack.subscribe({ workspaceId: "dst-1", resource: "acme/moves", destinationUrl: moved.url("/dst-1"), destinationSecret: secret });
      await sendGithub(stack, "push", "moves-2", push("acme/moves", 2));
      await eventually(() => moved.on("/dst-1").length === 1, "the delivery to the new destination");

      const removed = await stack.admin("router", "DELETE", "/admin/subscriptions", { workspaceId: "dst-1", source: "github", resource: "acme/moves" });
      expect(removed.status).toBeLessThan(300);
      // A job routed before the removal (published here by hand, as the router would have) finds no destination.
      const last = await stack.jsm.streams.getMessage(STREAMS.jobs, { last_by_subj: "jobs.github.push" });
      const h = natsHeaders();
      h.set(HEADERS.msgId, "moves-again");
      const { seq } = await jetstream(stack.nc).publish(last!.subject, last!.data, { headers: h, msgID: "moves-again" });
      const jobId = last!.json<Job>().jobId;
      await eventually(async () => (await jobEvents(stack, jobId)).some((e) => e.jobSeq === seq && e.kind === "succeeded"), "the job after the removal to finish");

      expect(dest.on("/dst-1").map((d) => d.id)).toEqual(["moves-1:dst-1"]);
      expect(moved.on("/dst-1").map((d) => d.id)).toEqual(["moves-2:dst-1"]);
    } finally {
      await moved.stop();
    }
  });
});
