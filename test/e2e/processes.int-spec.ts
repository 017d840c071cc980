import { HEADERS, STREAMS, SUBJECTS } from "@hookstream/contracts";
import { TestDestination } from "../support/destinations";
import { eventually, sleep } from "../support/eventually";
import { OtlpReceiver } from "../support/otlp-receiver";
import { buildServices, ServiceProcesses } from "../support/processes";
import { READ_TOKEN, TestStack } from "../support/stack";

/**
 * The services as real processes, as `npm start` and Kubernetes run them: OpenTelemetry auto-instrumentation,
 * OTLP export, and SIGTERM handling only exist there.
 */
const stack = new TestStack();
const otlp = new OtlpReceiver();
const secret = TestDestination.secret("processes");
const dest = new TestDestination(secret);
let build: ReturnType<typeof buildServices>;
let services: ServiceProcesses;

const pr = (repo: string) => ({ action: "opened", number: 1, pull_request: { id: 1 }, repository: { id: 1, full_name: repo } });

beforeAll(async () => {
  build = buildServices();
  await Promise.all([otlp.start(), dest.start()]);
  await stack.start({ JOB_BACKOFF: "500ms", JOB_MAX_DELIVER: "2", SHUTDOWN_GRACE: "15s", WORKER_CONCURRENCY: "4" }, []);
  services = new ServiceProcesses(
    build.dir,
    { ...stack.env, LOG_LEVEL: "log", OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_TRACES_SAMPLER: "always_on", OTEL_BSP_SCHEDULE_DELAY: "200" },
    { ingress: stack.ports.ingress, router: stack.ports.router, "workspace-worker": stack.ports.worker, "dlq-manager": stack.ports.dlq },
  );
  await Promise.all((["ingress", "router", "workspace-worker", "dlq-manager"] as const).map((s) => services.start(s)));
});

afterAll(async () => {
  await services?.stopAll();
  await stack.stop();
  await Promise.all([otlp.stop(), dest.stop()]);
  build?.remove();
});

describe("one trace per webhook", () => {
  let attempt = 0;

  it("links ingress, router and worker spans into one tree, with messaging attributes, and the DLQ entry to it", async () => {
    // A failed test is retried in place (jest.setup): a retry takes workspaces and a delivery of its own.
    const run = `-${++attempt}`;
    const [t1, t2, tBad] = ["t1", "t2", "t-bad"].map((ws) => ws + run) as [string, string, string];
    for (const ws of [t1, t2]) await stack.subscribe({ workspaceId: ws, resource: "acme/traced", destinationUrl: dest.url(`/${ws}`), destinationSecret: secret });
    dest.answer(`/${tBad}`, 400);
    await stack.subscribe({ workspaceId: tBad, resource: "acme/traced", destinationUrl: dest.url(`/${tBad}`), destinationSecret: secret });
    expect((await stack.sendGithub({ event: "pull_request", delivery: `trace${run}`, body: pr("acme/traced") })).status).toBe(202);
    await eventually(() => dest.on(`/${t1}`).length >= 1 && dest.on(`/${t2}`).length >= 1, "two deliveries");

    const stored = await stack.jsm.streams.getMessage(STREAMS.webhooks, { last_by_subj: SUBJECTS.webhook("github", "pull_request") });
    expect(stored!.header.get(HEADERS.msgId)).toContain(`trace${run}`);
    const traceId = stored!.header.get(HEADERS.traceparent).split("-")[1]!;
    // Each service exports on its own timer, so the ingress's spans may come after the worker's: wait for one tree
    // whose only root is a span without a parent, not just for the worker spans.
    const rootsOf = (s: ReturnType<typeof otlp.trace>) => {
      const known = new Set(s.map((x) => x.spanId));
      return s.filter((x) => !x.parentSpanId || !known.has(x.parentSpanId));
    };
    const spans = await eventually(() => {
      const s = otlp.trace(traceId);
      const roots = rootsOf(s);
      if (roots.length !== 1 || roots[0]!.parentSpanId) return false;
      const workers = s.filter((x) => x.service === "hookstream-workspace-worker" && x.attributes["messaging.consumer.group.name"] === "workspace-worker");
      return workers.length === 3 && s;
    }, "the worker's spans to be exported");

    const roots = rootsOf(spans);
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({ service: "hookstream-ingress", kind: 2 /* server */ });
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (s: (typeof spans)[number]) => byId.get(s.parentSpanId ?? "");

    const ingressSend = spans.find((s) => s.service === "hookstream-ingress" && s.name === "send webhooks.github.pull_request")!;
    expect(ingressSend).toMatchObject({ kind: 4 /* producer */, attributes: expect.objectContaining({ "messaging.system": "nats", "messaging.destination.name": "webhooks.github.pull_request" }) });
    const routerProcess = spans.find((s) => s.service === "hookstream-router" && s.name === `process ${STREAMS.webhooks}`)!;
    expect(routerProcess.kind).toBe(5 /* consumer */);
    expect(parentOf(routerProcess)).toBe(ingressSend);
    expect(routerProcess.attributes).toMatchObject({ "messaging.system": "nats", "messaging.consumer.group.name": "router", "messaging.message.id": `trace${run}` });
    const routerSend = spans.find((s) => s.service === "hookstream-router" && s.name === "send jobs.github.pull_request")!;
    expect(parentOf(routerSend)).toBe(routerProcess);
    expect(routerSend.attributes["messaging.batch.message_count"]).toBe(3);

    // The job projector consumes JOBS too; its spans join the trace, but these are the jobs' own.
    const workerSpans = spans.filter((s) => s.service === "hookstream-workspace-worker" && s.attributes["messaging.consumer.group.name"] === "workspace-worker");
    for (const w of workerSpans) {
      expect(parentOf(w)).toBe(routerSend);
      expect(w.attributes).toMatchObject({ "messaging.system": "nats", "hookstream.source": "github", "hookstream.event_type": "pull_request" });
      // The delivery to the destination is an HTTP client span under the job's span.
      expect(spans.some((s) => s.parentSpanId === w.spanId && s.kind === 3 /* client */ && s.service === "hookstream-workspace-worker")).toBe(true);
    }
    expect(workerSpans.map((w) => w.attributes["hookstream.workspace_id"]).sort()).toEqual([tBad, t1, t2].sort());

    const dlq = await eventually(async () => {
      const res = await stack.admin("dlq", "GET", `/admin/dlq?workspaceId=${tBad}`, undefined, READ_TOKEN);
      const body = (await res.json()) as { items: { traceId: string }[] };
      return body.items.length > 0 && body.items;
    }, "a DLQ entry");
    expect(dlq[0]!.traceId).toBe(traceId);
    expect([dest.on(`/${t1}`).length, dest.on(`/${t2}`).length]).toEqual([1, 1]);
  });

  it("writes JSON logs, carrying the trace id inside a message's processing", async () => {
    const lines = services.output.get("dlq-manager")!.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => l.service === "dlq-manager" && typeof l.level === "string" && typeof l.time === "string")).toBe(true);
    const deadLettered = lines.find((l) => String(l.msg).startsWith("dead-lettered"));
    // Logged while handling the advisory, so inside that handler's span (advisories carry no trace of their own).
    expect(deadLettered).toMatchObject({ trace_id: expect.stringMatching(/^[0-9a-f]{32}$/), span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it("never logs or traces a destination secret", async () => {
    // Debug logs too, and a generated secret, which the router holds in clear while it answers.
    const earlier = [...services.output.values()].flat();
    await services.stop("router");
    services.env.LOG_LEVEL = "debug";
    await services.start("router");
    const res = await stack.admin("router", "POST", "/admin/subscriptions", { workspaceId: "t-gen", source: "github", resource: "acme/traced", destinationUrl: dest.url("/t-gen") });
    const made = (await res.json()) as { id: string; destinationSecret: string };
    expect(made.destinationSecret).toMatch(/^whsec_/);
    expect((await stack.sendGithub({ event: "pull_request", delivery: "trace-secret", body: pr("acme/traced") })).status).toBe(202);
    await eventually(() => dest.on("/t-gen").length === 1, "a delivery to t-gen");
    expect((await stack.admin("router", "DELETE", `/admin/subscriptions/${made.id}`)).status).toBe(204);
    services.env.LOG_LEVEL = "log";

    const needles = [secret, made.destinationSecret].flatMap((s) => [s, s.replace(/^whsec_/, "")]);
    const outputs = [...earlier, ...[...services.output.values()].flat()].join("\n");
    expect(outputs).toContain("event trace-secret");
    const spans = JSON.stringify(otlp.spans);
    for (const n of needles) {
      expect(outputs.includes(n)).toBe(false);
      expect(spans.includes(n)).toBe(false);
    }
  });
});

describe("graceful shutdown", () => {
  it("finishes the jobs in flight on SIGTERM, and after a restart every job is delivered exactly once", async () => {
    const slow = (ms: number) => (n: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        /* a destination that takes its time, synchronously so the test process answers late */
      }
      return n > 0 ? 200 : 200;
    };
    const workspaces = Array.from({ length: 24 }, (_, i) => `sd-${i}`);
    for (const ws of workspaces) {
      dest.answer(`/${ws}`, slow(150));
      await stack.subscribe({ workspaceId: ws, resource: "acme/shutdown", destinationUrl: dest.url(`/${ws}`), destinationSecret: secret });
    }
    expect((await stack.sendGithub({ event: "pull_request", delivery: "shutdown-1", body: pr("acme/shutdown") })).status).toBe(202);
    await eventually(() => workspaces.some((ws) => dest.on(`/${ws}`).length > 0), "the first deliveries");
    const started = Date.now();
    // Nest closes the app, then re-raises the signal: the process ends by SIGTERM, after its work is done.
    expect(await services.stop("workspace-worker", "SIGTERM")).toEqual({ code: null, signal: "SIGTERM" });
    expect(Date.now() - started).toBeLessThan(15_000);
    const deliveredBeforeRestart = workspaces.filter((ws) => dest.on(`/${ws}`).length > 0).length;
    expect(deliveredBeforeRestart).toBeLessThan(workspaces.length);

    await services.start("workspace-worker");
    await eventually(() => workspaces.every((ws) => dest.on(`/${ws}`).length > 0), "every workspace delivered", 60_000);
    await sleep(1500);
    for (const ws of workspaces) {
      expect(dest.on(`/${ws}`)).toHaveLength(1);
      expect(dest.on(`/${ws}`)[0]!.validSignature).toBe(true);
    }
    expect(services.output.get("workspace-worker")!.join("\n")).not.toContain("given back for redelivery");
  });
});
