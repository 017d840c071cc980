import { STREAMS } from "@hookstream/contracts";
import { TestDestination } from "../../../test/support/destinations";
import { eventually, sleep } from "../../../test/support/eventually";
import { TestStack } from "../../../test/support/stack";
import { send } from "./dlq.support";

// 1,000 workspaces whose destinations fail, then heal: one bulk replay by filter must deliver each job once. A
// five-second ack deadline keeps the worker's heartbeats ahead of it with every service in this one process (no
// redelivery of a running job); the destinations share one host, whose circuit breaker stays out of the way.
const N = 1000;
const CONTROL = 5;
const secret = TestDestination.secret("bulk-destination-secret");
const dest = new TestDestination(secret);
const stack = new TestStack();
let healed = false;

jest.setTimeout(600_000);

const count = async (sql: string) => (await stack.db.query<{ n: number }>(sql))[0]!.n;

beforeAll(async () => {
  await dest.start();
  await stack.start({ JOB_BACKOFF: "5s", JOB_MAX_DELIVER: "2", WORKER_CONCURRENCY: "64", DLQ_REPLAY_RATE: "1000", BREAKER_FAILURES: "1000" });
  const subscribe = (workspaceId: string, resource: string) => {
    dest.answer(`/${workspaceId}`, () => (healed ? 200 : 500));
    return stack.subscribe({ workspaceId, resource, destinationUrl: dest.url(`/${workspaceId}`), destinationSecret: secret });
  };
  for (let i = 0; i < N; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => subscribe(`bulk-${i + j}`, "acme/bulk")));
  for (let i = 0; i < CONTROL; i++) await subscribe(`control-${i}`, "acme/control");
});

afterAll(async () => {
  await stack.stop();
  await dest.stop();
});

it("replays 1,000 entries matched by a filter, delivering each exactly once", async () => {
  await send(stack, "acme/bulk", "d-bulk", "issues");
  await send(stack, "acme/control", "d-control", "push");
  await eventually(async () => (await count("SELECT count(*)::int AS n FROM dead_letter_queue")) === N + CONTROL, `${N + CONTROL} entries`, 240_000);
  // The list's cursor walks every entry once.
  const listed: string[] = [];
  for (let cursor: string | null = ""; cursor !== null; ) {
    const page = (await (await stack.admin("dlq", "GET", `/admin/dlq?limit=100${cursor ? `&cursor=${cursor}` : ""}`)).json()) as { items: { id: string }[]; nextCursor: string | null };
    listed.push(...page.items.map((e) => e.id));
    cursor = page.nextCursor;
  }
  expect(new Set(listed).size).toBe(N + CONTROL);
  expect(listed).toHaveLength(N + CONTROL);

  healed = true;
  const before = dest.received.length;

  const dry = await stack.admin("dlq", "POST", "/admin/dlq/replay", { eventType: "issues", status: "pending", dryRun: true });
  expect(dry.status).toBe(200);
  expect(await dry.json()).toEqual({ dryRun: true, matched: N });

  const started = await stack.admin("dlq", "POST", "/admin/dlq/replay", { eventType: "issues", status: "pending", rate: 500 });
  expect(started.status).toBe(202);
  const { operationId, matched, rate } = (await started.json()) as { operationId: string; matched: number; rate: number };
  expect([matched, rate]).toEqual([N, 500]);
  const t0 = Date.now();
  const op = await eventually(async () => {
    const o = (await (await stack.admin("dlq", "GET", `/admin/operations/${operationId}`)).json()) as { status: string; done: number; skipped: number; total: number };
    return o.status !== "running" && o;
  }, "the bulk replay done", 120_000);
  // The rate bounds it: 1,000 at 500/s take about two seconds at the least.
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
  expect(op).toMatchObject({ status: "done", done: N, skipped: 0, total: N });

  await eventually(async () => (await count("SELECT count(*)::int AS n FROM dead_letter_queue WHERE status = 'reprocessed'")) === N, "every entry reprocessed", 120_000);
  await sleep(1500);
  // One replay job each on JOBS...
  expect(await stack.streamMessages(STREAMS.jobs)).toBe(N + CONTROL + N);
  // ...and one delivery each.
  const after = dest.received.slice(before);
  const times = new Map<string, number>();
  for (const d of after) times.set(d.id, (times.get(d.id) ?? 0) + 1);
  expect([...times].filter(([, n]) => n > 1)).toEqual([]);
  expect(after).toHaveLength(N);
  const byPath = new Map<string, string[]>();
  for (const d of after) byPath.set(d.path, [...(byPath.get(d.path) ?? []), d.id]);
  expect(byPath.size).toBe(N);
  for (let i = 0; i < N; i++) expect(byPath.get(`/bulk-${i}`)).toEqual([`d-bulk:bulk-${i}:replay:1`]);
  expect(after.every((d) => d.validSignature)).toBe(true);
  expect(await count("SELECT count(*)::int AS n FROM dead_letter_queue WHERE workspace_id LIKE 'control-%' AND status = 'pending'")).toBe(CONTROL);

  // A second bulk replay finds nothing left to replay.
  const again = await stack.admin("dlq", "POST", "/admin/dlq/replay", { eventType: "issues", dryRun: true });
  expect(await again.json()).toEqual({ dryRun: true, matched: 0 });
});
