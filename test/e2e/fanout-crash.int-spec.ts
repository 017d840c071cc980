import { type JsMsg, jetstream } from "@nats-io/jetstream";
import { CONSUMERS, HEADERS, STREAMS } from "@hookstream/contracts";
import { Client } from "pg";
import { TestDestination } from "../support/destinations";
import { eventually } from "../support/eventually";
import { buildServices, ServiceProcesses } from "../support/processes";
import { TestStack } from "../support/stack";

/**
 * A router killed (SIGKILL, no shutdown) half-way through a 10,000-workspace fan-out: the event was not acked, so
 * it comes back to the restarted router, which routes it again with the same `Nats-Msg-Id`s. JetStream drops the
 * jobs it already stored, so JOBS ends with exactly one job per workspace and every workspace gets one delivery.
 */
const WORKSPACES = 10_000;
const RESOURCE = "acme/fanout-crash";
const stack = new TestStack();
const secret = TestDestination.secret("fanout-crash");
const dest = new TestDestination(secret);
let build: ReturnType<typeof buildServices>;
let services: ServiceProcesses;

/** All but one subscription straight into the table, as an operator's import would; the API announces the last. */
async function subscribeAll(): Promise<void> {
  const ids = Array.from({ length: WORKSPACES - 1 }, (_, i) => `fc-${i}`);
  const db = new Client({ connectionString: stack.db.url });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO subscriptions (workspace_id, source, resource, destination_url, destination_secret)
       SELECT ws, 'github', $2, $3 || ws, $4 FROM unnest($1::text[]) AS ws`,
      [ids, RESOURCE, dest.url("/"), secret],
    );
  } finally {
    await db.end();
  }
  await stack.subscribe({ workspaceId: `fc-${WORKSPACES - 1}`, resource: RESOURCE, destinationUrl: dest.url(`/fc-${WORKSPACES - 1}`), destinationSecret: secret });
}

/** Every message of JOBS, through an ordered consumer: its `Nats-Msg-Id`s. */
async function jobMsgIds(): Promise<string[]> {
  const consumer = await jetstream(stack.nc).consumers.get(STREAMS.jobs);
  const ids: string[] = [];
  const messages = await consumer.consume({ max_messages: 1000 });
  for await (const m of messages as AsyncIterable<JsMsg>) {
    ids.push(m.headers?.get(HEADERS.msgId) ?? "");
    if (m.info.pending === 0) break;
  }
  return ids;
}

beforeAll(async () => {
  build = buildServices();
  await dest.start();
  // The router's ack deadline is its first backoff: 1 s brings the unacked event back to the restarted router soon.
  await stack.start({ ROUTER_BACKOFF: "1s,2s", JOB_BACKOFF: "1s", JOB_MAX_DELIVER: "5" }, []);
  services = new ServiceProcesses(build.dir, stack.env, { ingress: stack.ports.ingress, router: stack.ports.router, "workspace-worker": stack.ports.worker, "dlq-manager": stack.ports.dlq });
  await Promise.all((["ingress", "router", "workspace-worker"] as const).map((s) => services.start(s)));
}, 120_000);

afterAll(async () => {
  await services?.stopAll();
  await stack.stop();
  await dest.stop();
  build?.remove();
});

it("delivers a 10,000-workspace fan-out exactly once per workspace after the router is killed mid-fan-out", async () => {
  await subscribeAll();
  expect((await stack.sendGithub({ event: "pull_request", delivery: "fanout-crash-1", body: { action: "opened", number: 1, pull_request: { id: 1 }, repository: { id: 1, full_name: RESOURCE } } })).status).toBe(202);

  // Kill as soon as the first jobs are stored, well before the last.
  let storedAtKill = 0;
  for (;;) {
    storedAtKill = await stack.streamMessages(STREAMS.jobs);
    if (storedAtKill > 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(await services.stop("router", "SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
  const afterKill = await stack.streamMessages(STREAMS.jobs);
  expect(afterKill).toBeGreaterThan(0);
  expect(afterKill).toBeLessThan(WORKSPACES);

  await services.start("router");
  await eventually(async () => (await stack.streamMessages(STREAMS.jobs)) === WORKSPACES, "the restarted router to finish the fan-out", 60_000);
  // Everything delivered and acked: nothing pending or in flight on the worker's consumer.
  await eventually(
    async () => {
      const info = await stack.jsm.consumers.info(STREAMS.jobs, CONSUMERS.workspaceWorker);
      return dest.received.length >= WORKSPACES && info.num_pending === 0 && info.num_ack_pending === 0;
    },
    "every job delivered and acked",
    90_000,
  );
  // …and the router acked the event: it is not routed a third time.
  await eventually(async () => (await stack.jsm.consumers.info(STREAMS.webhooks, CONSUMERS.router)).num_ack_pending === 0, "the event acked");

  expect(await stack.streamMessages(STREAMS.jobs)).toBe(WORKSPACES);
  const msgIds = await jobMsgIds();
  expect(msgIds).toHaveLength(WORKSPACES);
  expect(new Set(msgIds).size).toBe(WORKSPACES);
  expect(new Set(msgIds)).toEqual(new Set(Array.from({ length: WORKSPACES }, (_, i) => `fanout-crash-1:fc-${i}`)));

  expect(dest.received).toHaveLength(WORKSPACES);
  expect(new Set(dest.received.map((d) => d.id)).size).toBe(WORKSPACES);
  expect(new Set(dest.received.map((d) => d.path)).size).toBe(WORKSPACES);
  expect(dest.received.every((d) => d.validSignature)).toBe(true);
});
