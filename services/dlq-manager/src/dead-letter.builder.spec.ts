import type { DeliveryAdvisory, Job, JobAttemptFailed } from "@hookstream/contracts";
import { buildDeadLetter, failedMessageBody, parseTraceparent } from "./dead-letter.builder";

const advisory: DeliveryAdvisory = {
  type: "io.nats.jetstream.advisory.v1.max_deliver",
  id: "a-1",
  timestamp: "2026-11-27T10:00:05.000Z",
  stream: "JOBS",
  consumer: "workspace-worker",
  stream_seq: 41,
  deliveries: 2,
};
const job: Job = {
  jobId: "d-1:ws-1:replay:2",
  workspaceId: "ws-1",
  subscriptionId: "2f1c7a1e-8d2b-4c43-9a57-1b9c1f3d2e10",
  event: { id: "d-1", seq: 12, source: "github", type: "issues", resource: "acme/api", receivedAt: "2026-11-27T01:00:00.000Z" },
  replayOf: "d-1:ws-1",
};
const attempt = (n: number): JobAttemptFailed => ({
  kind: "attempt_failed",
  jobId: job.jobId,
  jobSeq: 41,
  workspaceId: "ws-1",
  attempt: n,
  category: "external_api",
  message: "destination answered 500",
  status: 500,
  at: `2026-11-27T10:00:0${n}.000Z`,
  durationMs: 12,
});
const message = { subject: "jobs.github.issues", headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" }, body: job };

describe("buildDeadLetter", () => {
  it("files a failed replay under the job it replays, with each attempt's run", () => {
    const e = buildDeadLetter({ advisory, message, job, event: null, attempts: [attempt(1), attempt(2)], destinationUrl: "http://dest" });
    expect(e).toMatchObject({
      stream: "JOBS",
      streamSeq: 41,
      reason: "max_deliveries",
      jobId: "d-1:ws-1",
      job,
      workspaceId: "ws-1",
      errorCategory: "external_api",
      deliveryCount: 2,
      traceId: "0af7651916cd43dd8448eb211c80319c",
      firstFailedAt: "2026-11-27T10:00:01.000Z",
      lastFailedAt: "2026-11-27T10:00:02.000Z",
    });
    expect(e.attempts).toEqual([
      { jobSeq: 41, attempt: 1, category: "external_api", message: "destination answered 500", status: 500, at: "2026-11-27T10:00:01.000Z", durationMs: 12 },
      { jobSeq: 41, attempt: 2, category: "external_api", message: "destination answered 500", status: 500, at: "2026-11-27T10:00:02.000Z", durationMs: 12 },
    ]);
  });

  it("explains a failure without recorded attempts by how it ended", () => {
    const terminated = { ...advisory, type: "io.nats.jetstream.advisory.v1.terminated" as const, deliveries: 1 };
    expect(buildDeadLetter({ advisory: terminated, message, job: { ...job, replayOf: undefined }, event: null, attempts: [], destinationUrl: null })).toMatchObject({
      reason: "terminated",
      errorCategory: "validation",
      jobId: "d-1:ws-1:replay:2",
    });
    expect(buildDeadLetter({ advisory, message: null, job: null, event: null, attempts: [], destinationUrl: null })).toMatchObject({
      errorCategory: "unknown",
      errorMessage: "message #41 is no longer in JOBS",
      jobId: null,
    });
  });
});

describe("parseTraceparent", () => {
  it("reads a W3C traceparent and nothing else", () => {
    expect(parseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")).toEqual({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", flags: 1 });
    expect(parseTraceparent("garbage")).toBeNull();
    expect(parseTraceparent(undefined)).toBeNull();
  });
});

describe("failedMessageBody", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it("keeps JSON as JSON and other text as text", () => {
    expect(failedMessageBody(bytes('{"a":[1,"x"]}'))).toEqual({ a: [1, "x"] });
    expect(failedMessageBody(bytes("not json"))).toBe("not json");
  });

  it("stores as base64 what a jsonb column refuses: bytes that are not UTF-8, and NUL raw or escaped", () => {
    for (const data of [new Uint8Array([0xff, 0x00, 0x7b]), bytes("a\u0000b"), bytes('{"a":"\\u0000"}')]) {
      const body = failedMessageBody(data) as { base64: string };
      expect(Buffer.from(body.base64, "base64")).toEqual(Buffer.from(data));
      expect(JSON.stringify(body)).not.toContain("\\u0000");
    }
  });
});
