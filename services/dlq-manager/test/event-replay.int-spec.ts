import { TestDestination } from "../../../test/support/destinations";
import { eventually, sleep } from "../../../test/support/eventually";
import { TestStack } from "../../../test/support/stack";
import { send } from "./dlq.support";

// Replays from the event log: the DLQ manager finds the events in routed_events and the router routes them again.
const secret = TestDestination.secret("replay-destination-secret");
const dest = new TestDestination(secret);
const stack = new TestStack();
const WORKSPACES = ["ws-a", "ws-b"];

async function sendAll(ids: string[]): Promise<void> {
  for (const id of ids) await send(stack, "acme/replay", id);
  await eventually(() => ids.every((id) => WORKSPACES.every((ws) => dest.received.some((d) => d.id === `${id}:${ws}`))), `${ids.join(", ")} delivered`);
}

async function replay(body: object) {
  const res = await stack.admin("dlq", "POST", "/admin/replay", body);
  expect(res.status).toBe(202);
  const started = (await res.json()) as { operationId: string; replayId: string; matched: number };
  await eventually(async () => {
    const op = (await (await stack.admin("dlq", "GET", `/admin/operations/${started.operationId}`)).json()) as { status: string };
    return op.status === "done";
  }, "the replay requested");
  return started;
}

const replayed = (replayId: string) => dest.received.filter((d) => d.id.endsWith(`:replay:${replayId}`)).map((d) => `${d.id.split(":")[0]} ${d.path}`).sort();

beforeAll(async () => {
  await dest.start();
  await stack.start();
  for (const ws of WORKSPACES) await stack.subscribe({ workspaceId: ws, resource: "acme/replay", destinationUrl: dest.url(`/${ws}`), destinationSecret: secret });
});

afterAll(async () => {
  await stack.stop();
  await dest.stop();
});

describe("replay from the event log", () => {
  let since = "";
  let until = "";

  beforeAll(async () => {
    await sendAll(["e1", "e2"]);
    await sleep(50);
    since = new Date().toISOString();
    await sleep(50);
    await sendAll(["e3", "e4", "e5"]);
    await sleep(50);
    until = new Date().toISOString();
    await sleep(50);
    await sendAll(["e6"]);
  });

  it("re-routes exactly the events received in a time range, as new jobs linked to the originals", async () => {
    const dry = await stack.admin("dlq", "POST", "/admin/replay", { source: "github", since, until, dryRun: true });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toEqual({ dryRun: true, matched: 3 });
    const { replayId, matched } = await replay({ source: "github", since, until });
    expect(matched).toBe(3);
    await eventually(() => replayed(replayId).length === 6, "six replayed deliveries");
    await sleep(1000);
    expect(replayed(replayId)).toEqual(["e3 /ws-a", "e3 /ws-b", "e4 /ws-a", "e4 /ws-b", "e5 /ws-a", "e5 /ws-b"]);
    expect(dest.received.filter((d) => d.id.includes(":replay:")).every((d) => d.validSignature)).toBe(true);
  });

  it("replays chosen events for one workspace only", async () => {
    const { replayId, matched } = await replay({ eventIds: ["e1", "e6"], workspaceId: "ws-b" });
    expect(matched).toBe(2);
    await eventually(() => replayed(replayId).length === 2, "two replayed deliveries");
    await sleep(1000);
    expect(replayed(replayId)).toEqual(["e1 /ws-b", "e6 /ws-b"]);
  });

  it("refuses a replay that names no events, and records each one in the audit log", async () => {
    const res = await stack.admin("dlq", "POST", "/admin/replay", { source: "github" });
    expect(res.status).toBe(400);
    const audit = (await (await stack.admin("dlq", "GET", "/admin/dlq/audit?action=event_replay")).json()) as { items: { outcome: string; details: { matched: number } }[] };
    expect(audit.items.map((a) => [a.outcome, a.details.matched])).toEqual([
      ["accepted", 2],
      ["accepted", 3],
      ["dry_run", 3],
    ]);
  });
});
