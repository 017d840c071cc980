import fc from "fast-check";
import { DeliveryAdvisory, encodeWebhookEvent, Job, JobEvent, jobIdOf, WebhookEvent } from "./envelopes";
import { processingModeOf, subjectToken, SUBJECTS } from "./streams";
import { dlqConsumer, dlqOutcomesConsumer, projectorAdvisoriesConsumer, projectorEventsConsumer, projectorJobsConsumer, workerConsumer } from "./consumers";

const event = {
  id: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
  source: "github" as const,
  type: "pull_request",
  resource: "acme/api",
  receivedAt: "2026-11-27T01:00:00.000Z",
  headers: { "x-github-event": "pull_request" },
  payload: { action: "opened" },
};

describe("WebhookEvent", () => {
  it("accepts a stored event and rejects what is not one", () => {
    expect(WebhookEvent.parse(event)).toEqual(event);
    expect(WebhookEvent.safeParse({ ...event, source: "gitlab" }).success).toBe(false);
    expect(WebhookEvent.safeParse({ ...event, id: "" }).success).toBe(false);
    expect(WebhookEvent.safeParse({ ...event, receivedAt: "yesterday" }).success).toBe(false);
    expect(WebhookEvent.safeParse({ ...event, resource: null }).success).toBe(true);
  });

  it("stores a body's bytes as the payload, decoding to the same event as serializing it", () => {
    const { payload: _, ...described } = event;
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), fc.string(), (payload, indent, header) => {
        const meta = { ...described, headers: { "x-note": header } };
        const body = new TextEncoder().encode(` ${JSON.stringify(payload, null, indent)}\n`);
        const stored = JSON.parse(new TextDecoder().decode(encodeWebhookEvent(meta, body)));
        expect(stored).toEqual(JSON.parse(JSON.stringify({ ...meta, payload })));
      }),
    );
  });
});

describe("Job", () => {
  const job = {
    jobId: jobIdOf(event.id, "ws-1"),
    workspaceId: "ws-1",
    subscriptionId: "2f1c7a1e-8d2b-4c43-9a57-1b9c1f3d2e10",
    event: { id: event.id, seq: 12, source: "github", type: "pull_request", resource: "acme/api", receivedAt: event.receivedAt },
  };

  it("names a job by event and workspace", () => {
    expect(job.jobId).toBe(`${event.id}:ws-1`);
    expect(Job.parse(job)).toEqual(job);
  });

  it("rejects a job without a valid event reference", () => {
    expect(Job.safeParse({ ...job, event: { ...job.event, seq: 0 } }).success).toBe(false);
    expect(Job.safeParse({ ...job, subscriptionId: "nope" }).success).toBe(false);
    expect(Job.safeParse("{not json").success).toBe(false);
  });
});

describe("DeliveryAdvisory", () => {
  it("reads the advisories nats-server 2.9 sends", () => {
    const maxDeliver = { type: "io.nats.jetstream.advisory.v1.max_deliver", id: "x", timestamp: "2026-11-27T01:00:00Z", stream: "JOBS", consumer: "workspace-worker", stream_seq: 3, deliveries: 6 };
    expect(DeliveryAdvisory.parse(maxDeliver)).toMatchObject({ stream_seq: 3 });
    const terminated = { ...maxDeliver, type: "io.nats.jetstream.advisory.v1.terminated", consumer_seq: 9, deliveries: 1 };
    expect(DeliveryAdvisory.parse(terminated).type).toMatch(/terminated$/);
    expect(DeliveryAdvisory.safeParse({ ...maxDeliver, type: "io.nats.jetstream.advisory.v1.nak" }).success).toBe(false);
  });
});

describe("subjects and consumers", () => {
  it("keep subject tokens valid whatever the provider sends", () => {
    expect(SUBJECTS.webhook("github", "pull_request")).toBe("webhooks.github.pull_request");
    expect(SUBJECTS.job("stripe", "invoice.paid")).toBe("jobs.stripe.invoice_paid");
    expect(subjectToken("a b>*")).toBe("a_b__");
    expect(subjectToken("")).toBe("_");
  });

  it("put a replay's job events apart from live ones, a job's history still under one filter", () => {
    expect(SUBJECTS.jobEvent(processingModeOf(undefined), "succeeded", 12)).toBe("job-events.live.succeeded.12");
    expect(SUBJECTS.jobEvent(processingModeOf("e:ws"), "stale", 13)).toBe("job-events.replay.stale.13");
    expect(SUBJECTS.jobEventsOf(12)).toBe("job-events.*.*.12");
    expect(dlqOutcomesConsumer().config.filter_subject).toBe(SUBJECTS.replayJobEvents);
    expect(projectorEventsConsumer().config.filter_subject).toBe(SUBJECTS.jobEventsAll);
  });

  it("refuse a schedule nats-server would refuse", () => {
    expect(() => workerConsumer({ maxDeliver: 2, backoffMs: [1000, 2000], maxAckPending: 10 })).toThrow(/max_deliver/);
    const ok = workerConsumer({ maxDeliver: 3, backoffMs: [1000, 2000], maxAckPending: 10 });
    expect(ok.config).toMatchObject({ durable_name: "workspace-worker", max_deliver: 3, backoff: [1e9, 2e9], ack_policy: "explicit" });
    expect(dlqConsumer().config.max_deliver).toBe(-1);
  });
});

describe("JobEvent", () => {
  const attempt = { jobId: "e:ws", jobSeq: 4, workspaceId: "ws", attempt: 2, at: "2026-11-27T01:00:00.000Z" };
  it("reads every kind a worker puts on JOB_EVENTS", () => {
    expect(JobEvent.parse({ kind: "started", ...attempt }).kind).toBe("started");
    expect(JobEvent.parse({ kind: "succeeded", ...attempt, durationMs: 3 }).kind).toBe("succeeded");
    expect(JobEvent.parse({ kind: "attempt_failed", ...attempt, category: "timeout", message: "slow", durationMs: 3 }).kind).toBe("attempt_failed");
    expect(JobEvent.parse({ kind: "stale", ...attempt, entity: "github/pull_request/1", reason: "newer applied", durationMs: 3 }).kind).toBe("stale");
    expect(JobEvent.parse({ kind: "stale", ...attempt, replayOf: "e:ws0", entity: "github/pull_request/1", reason: "newer applied", durationMs: 3 })).toMatchObject({ replayOf: "e:ws0" });
    expect(JobEvent.safeParse({ kind: "dead_lettered", ...attempt }).success).toBe(false);
    expect(JobEvent.safeParse({ kind: "started", ...attempt, attempt: 0 }).success).toBe(false);
  });
});

describe("the job lifecycle projector's consumers", () => {
  it("never give up on a message: one skipped would be missing from the projection until a rebuild", () => {
    for (const spec of [projectorJobsConsumer(), projectorEventsConsumer(), projectorAdvisoriesConsumer()]) expect(spec.config.max_deliver).toBe(-1);
  });
});
