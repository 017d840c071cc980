import type { Job } from "@hookstream/contracts";
import { originalOfReplay, planReplay, replayJobId, replayRefusal, type ReplaySource } from "./replay.builder";

const job: Job = {
  jobId: "d-1:ws-1",
  workspaceId: "ws-1",
  subscriptionId: "2f1c7a1e-8d2b-4c43-9a57-1b9c1f3d2e10",
  event: { id: "d-1", seq: 12, source: "github", type: "pull_request", resource: "acme/api", receivedAt: "2026-11-27T01:00:00.000Z" },
};
const now = new Date("2026-11-27T10:00:00.000Z");
const entry: ReplaySource = {
  id: "8a0d4c7e-5f39-4d7e-9a34-3f0b7a1f2c11",
  stream: "JOBS",
  streamSeq: "40",
  subject: "jobs.github.pull_request",
  jobId: "d-1:ws-1",
  job,
  eventId: "d-1",
  source: "github",
  eventType: "pull_request",
  headers: { "Nats-Msg-Id": "d-1:ws-1", "Hookstream-Job-Id": "d-1:ws-1", "Hookstream-Workspace-Id": "ws-1", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
  status: "pending",
  errorCategory: "external_api",
  nextRetryAt: new Date("2026-11-27T09:59:00.000Z"),
  replayCount: 2,
};

describe("replayRefusal", () => {
  it("lets an operator replay a pending or failed entry, and nothing else", () => {
    expect(replayRefusal(entry, "manual", now)).toBeNull();
    expect(replayRefusal({ ...entry, status: "failed" }, "bulk", now)).toBeNull();
    expect(replayRefusal({ ...entry, status: "retrying" }, "manual", now)).toMatch(/already in flight/);
    for (const status of ["reprocessed", "resolved", "discarded"] as const) expect(replayRefusal({ ...entry, status }, "manual", now)).toBe(`the entry is ${status}`);
  });

  it("retries automatically only a due, transient, pending entry", () => {
    expect(replayRefusal(entry, "automatic", now)).toBeNull();
    expect(replayRefusal({ ...entry, nextRetryAt: new Date("2026-11-27T10:01:00.000Z") }, "automatic", now)).toBe("not due");
    expect(replayRefusal({ ...entry, nextRetryAt: null }, "automatic", now)).toBe("not due");
    expect(replayRefusal({ ...entry, errorCategory: "validation" }, "automatic", now)).toMatch(/not automatically/);
    expect(replayRefusal({ ...entry, status: "failed" }, "automatic", now)).toMatch(/not automatically/);
    // An operator may replay a validation failure once it is fixed.
    expect(replayRefusal({ ...entry, errorCategory: "validation" }, "manual", now)).toBeNull();
  });

  it("refuses what cannot be rebuilt", () => {
    expect(replayRefusal({ ...entry, job: null }, "manual", now)).toMatch(/not a job envelope/);
    expect(replayRefusal({ ...entry, stream: "WEBHOOKS", eventId: null }, "manual", now)).toMatch(/could not be read/);
    expect(replayRefusal({ ...entry, stream: "OTHER" }, "manual", now)).toMatch(/not replayable/);
  });
});

describe("planReplay", () => {
  it("republishes the original job to JOBS under a new id linked to the original", () => {
    const { stream, message } = planReplay(entry, 3, "admin", now);
    expect(stream).toBe("JOBS");
    expect(message.subject).toBe("jobs.github.pull_request");
    expect(message.msgId).toBe("d-1:ws-1:replay:3");
    expect(message.data).toEqual({ ...job, jobId: "d-1:ws-1:replay:3", replayOf: "d-1:ws-1" });
    expect(message.headers).toEqual({
      "Hookstream-Job-Id": "d-1:ws-1:replay:3",
      "Hookstream-Workspace-Id": "ws-1",
      "Hookstream-Replay-Of": "d-1:ws-1",
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    });
  });

  it("links a replay of a failed replay to the first job, not to the replay", () => {
    const replayed: Job = { ...job, jobId: "d-1:ws-1:replay:9f2", replayOf: "d-1:ws-1" };
    const { message } = planReplay({ ...entry, job: replayed, subject: "" }, 1, "admin", now);
    expect(message.data).toMatchObject({ jobId: "d-1:ws-1:replay:1", replayOf: "d-1:ws-1" });
    expect(message.subject).toBe("jobs.github.pull_request");
  });

  it("asks the router to route an event it gave up on again, through REPLAYS", () => {
    const { stream, message } = planReplay({ ...entry, stream: "WEBHOOKS", streamSeq: "7", job: null, jobId: null }, 1, "admin", now);
    expect(stream).toBe("REPLAYS");
    expect(message.subject).toBe("replays.github.pull_request");
    expect(message.data).toEqual({ replayId: `${entry.id}:1`, eventId: "d-1", eventSeq: 7, requestedBy: "admin", requestedAt: now.toISOString() });
    expect(message.msgId).toBe(`${entry.id}:1:github:d-1`);
  });
});

describe("originalOfReplay", () => {
  it("reads the original back from the DLQ's replay ids, and only from those", () => {
    expect(originalOfReplay(replayJobId("d-1:ws-1", 12))).toBe("d-1:ws-1");
    expect(originalOfReplay("d-1:ws-1")).toBeNull();
    // The router's replays of the event log carry a uuid, and say replayOf themselves.
    expect(originalOfReplay("d-1:ws-1:replay:2f1c7a1e-8d2b-4c43-9a57-1b9c1f3d2e10")).toBeNull();
  });
});
