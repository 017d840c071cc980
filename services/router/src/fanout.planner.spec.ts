import { INLINE_EVENT_MAX_BYTES, type WebhookEvent } from "@hookstream/contracts";
import type { SubscriptionRule } from "@hookstream/subscriptions";
import { planFanout } from "./fanout.planner";
import { SubscriptionIndex } from "./subscription.index";

const event = (over: Partial<WebhookEvent> = {}): WebhookEvent => ({
  id: "evt-1",
  source: "github",
  type: "pull_request",
  resource: "acme/api",
  receivedAt: "2026-11-27T00:00:00.000Z",
  headers: {},
  payload: { action: "opened" },
  ...over,
});

let n = 0;
const rule = (workspaceId: string, resource: string, over: Partial<SubscriptionRule> = {}): SubscriptionRule => ({
  id: `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
  workspaceId,
  source: "github",
  resource,
  eventTypes: null,
  actions: null,
  ...over,
});

const workspaces = (jobs: ReturnType<typeof planFanout>) => jobs.map((j) => j.data.workspaceId).sort();

describe("planFanout", () => {
  it("makes one job per workspace for exact, account-wide and global subscriptions", () => {
    const jobs = planFanout(event(), 9, [rule("ws-exact", "acme/api"), rule("ws-org", "acme/*"), rule("ws-all", "*")]);
    expect(workspaces(jobs)).toEqual(["ws-all", "ws-exact", "ws-org"]);
    const job = jobs.find((j) => j.data.workspaceId === "ws-exact")!;
    expect(job).toMatchObject({ subject: "jobs.github.pull_request", msgId: "evt-1:ws-exact" });
    expect(job.data.event).toEqual({ id: "evt-1", seq: 9, source: "github", type: "pull_request", resource: "acme/api", receivedAt: "2026-11-27T00:00:00.000Z" });
    expect(job.headers).toMatchObject({ "Hookstream-Workspace-Id": "ws-exact", "Hookstream-Job-Id": "evt-1:ws-exact" });
    expect(jobs.map((j) => j.data.fanout)).toEqual([3, 3, 3]);
  });

  it("gives a workspace with several matching subscriptions one job, from the most specific", () => {
    const exact = rule("ws", "acme/api");
    const jobs = planFanout(event(), 1, [rule("ws", "*"), rule("ws", "acme/*"), exact]);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data.subscriptionId).toBe(exact.id);
  });

  it("filters by event type and action", () => {
    const rules = [
      rule("ws-pr", "*", { eventTypes: ["pull_request"] }),
      rule("ws-push", "*", { eventTypes: ["push"] }),
      rule("ws-closed", "*", { eventTypes: ["pull_request"], actions: ["closed"] }),
      rule("ws-opened", "*", { actions: ["opened", "closed"] }),
    ];
    expect(workspaces(planFanout(event(), 1, rules))).toEqual(["ws-opened", "ws-pr"]);
    // An event without an action never matches an action filter.
    expect(workspaces(planFanout(event({ type: "push", payload: {} }), 1, rules))).toEqual(["ws-push"]);
  });

  it("puts a small event inside its job when the job is its only one", () => {
    const one = planFanout(event(), 1, [rule("ws-a", "acme/api")], { eventBytes: 4096 });
    expect(one[0]!.data.inlineEvent).toEqual(event());
    const two = planFanout(event(), 1, [rule("ws-a", "acme/api"), rule("ws-b", "acme/api")], { eventBytes: 4096 });
    expect(two.map((j) => j.data.inlineEvent)).toEqual([undefined, undefined]);
    expect(planFanout(event(), 1, [rule("ws-a", "acme/api")], { eventBytes: INLINE_EVENT_MAX_BYTES + 1 })[0]!.data.inlineEvent).toBeUndefined();
    // A replay reads the event from WEBHOOKS itself: its size is not known here.
    expect(planFanout(event(), 1, [rule("ws-a", "acme/api")], { replayId: "r1" })[0]!.data.inlineEvent).toBeUndefined();
  });

  it("ignores subscriptions of another source", () => {
    expect(planFanout(event(), 1, [rule("ws", "*", { source: "stripe" })])).toEqual([]);
  });

  it("makes a replay's jobs new, linked to the originals, optionally for one workspace", () => {
    const rules = [rule("ws-a", "acme/api"), rule("ws-b", "acme/api")];
    const jobs = planFanout(event(), 1, rules, { replayId: "r1", workspaceId: "ws-b" });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ msgId: "evt-1:ws-b:replay:r1", data: { jobId: "evt-1:ws-b:replay:r1", replayOf: "evt-1:ws-b", fanout: 1 } });
    expect(jobs[0]!.headers).toMatchObject({ "Hookstream-Replay-Of": "evt-1:ws-b" });
  });
});

describe("SubscriptionIndex", () => {
  it("finds candidates by source and resource pattern", () => {
    const index = new SubscriptionIndex(10);
    expect(index.replace([rule("a", "acme/api"), rule("b", "acme/*"), rule("c", "*"), rule("d", "other/x"), rule("e", "*", { source: "stripe" })])).toBe(true);
    expect(index.candidates("github", "acme/api").map((r) => r.workspaceId).sort()).toEqual(["a", "b", "c"]);
    expect(index.candidates("github", null).map((r) => r.workspaceId)).toEqual(["c"]);
    expect(index.candidates("stripe", "cus_1").map((r) => r.workspaceId)).toEqual(["e"]);
    expect(index.size).toBe(5);
  });

  it("refuses more rules than it may hold, keeping what it had", () => {
    const index = new SubscriptionIndex(2);
    index.replace([rule("a", "*")]);
    expect(index.replace([rule("a", "*"), rule("b", "*"), rule("c", "*")])).toBe(false);
    expect(index.size).toBe(1);
  });
});
