import { STREAMS } from "@hookstream/contracts";
import { loadProvisionConfig, provision } from "@hookstream/provisioning";
import { eventually } from "../../../test/support/eventually";
import { GITHUB_SECRET, TestStack } from "../../../test/support/stack";

// Ingress alone, with its own nats-server so it can be stopped mid-test.
const stack = new TestStack();
const body = { zen: "Keep it logically awesome.", repository: { full_name: "acme/api" } };

beforeAll(async () => {
  await stack.start({ PUBLISH_TIMEOUT: "1s", RETRY_AFTER_S: "7" }, ["ingress"]);
});
afterAll(() => stack.stop());

describe("ingress", () => {
  it("answers 202 only once JetStream stored the event, and stores a redelivery once", async () => {
    const a = await stack.sendGithub({ event: "push", delivery: "i-1", body });
    expect(a.status).toBe(202);
    expect(await a.json()).toEqual({ status: "accepted", id: "i-1", duplicate: false });
    const b = await stack.sendGithub({ event: "push", delivery: "i-1", body });
    expect(b.status).toBe(202);
    expect(await b.json()).toEqual({ status: "accepted", id: "i-1", duplicate: true });
    expect(await stack.streamMessages(STREAMS.webhooks)).toBe(1);
    const stored = await stack.jsm.streams.getMessage(STREAMS.webhooks, { seq: 1 });
    expect(stored!.subject).toBe("webhooks.github.push");
    const envelope = stored!.json<Record<string, unknown>>();
    expect(envelope).toMatchObject({ id: "i-1", source: "github", type: "push", resource: "acme/api", payload: body });
    // Signatures are verified, never stored.
    expect(JSON.stringify(envelope)).not.toContain("x-hub-signature");
  });

  it("answers a ping inline and stores nothing", async () => {
    const res = await stack.sendGithub({ event: "ping", delivery: "i-ping", body: { zen: "hi", hook_id: 1 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "pong", id: "i-ping" });
    expect(await stack.streamMessages(STREAMS.webhooks)).toBe(1);
  });

  it("refuses bad input with a clear status and code, storing nothing", async () => {
    const cases: [Promise<Response>, number, string][] = [
      [stack.sendGithub({ event: "push", delivery: "i-x", body, secret: "wrong" }), 401, "invalid_signature"],
      [stack.sendGithub({ event: "push", delivery: "i-x", body, signature: "sha1=abc" }), 401, "malformed_signature"],
      [
        fetch(stack.url("ingress", "/webhooks/github"), { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=" + "0".repeat(64) }, body: "{" }),
        401,
        "invalid_signature",
      ],
    ];
    for (const [res, status, code] of cases) {
      const r = await res;
      expect(r.status).toBe(status);
      expect(await r.json()).toMatchObject({ code });
    }
    // Signed, but no event type header.
    const raw = JSON.stringify(body);
    const sig = `sha256=${require("node:crypto").createHmac("sha256", GITHUB_SECRET).update(raw).digest("hex")}`;
    const noEvent = await fetch(stack.url("ingress", "/webhooks/github"), { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": sig }, body: raw });
    expect(noEvent.status).toBe(400);
    expect(await noEvent.json()).toMatchObject({ code: "missing_header" });
    expect(await stack.streamMessages(STREAMS.webhooks)).toBe(1);
  });

  it("answers 503 with Retry-After while JetStream is down, and keeps everything acknowledged before", async () => {
    const acknowledged = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const r = await stack.sendGithub({ event: "push", delivery: `i-before-${i}`, body });
        expect(r.status).toBe(202);
        return ((await r.json()) as { id: string }).id;
      }),
    );
    await stack.nats.kill();
    const res = await stack.sendGithub({ event: "push", delivery: "i-down", body });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(await res.json()).toMatchObject({ code: "store_unavailable" });

    await stack.nats.start();
    // The provider retries the same delivery: now it is stored.
    const retried = await eventually(async () => {
      const r = await stack.sendGithub({ event: "push", delivery: "i-down", body });
      return r.status === 202 && r;
    }, "ingress to store again after NATS restarts");
    expect(await retried.json()).toMatchObject({ id: "i-down", duplicate: false });
    // The test's own connection reconnects on its own schedule.
    expect(await eventually(() => stack.streamMessages(STREAMS.webhooks), "the test's connection to NATS")).toBe(22);
    const stored = await Promise.all(Array.from({ length: 22 }, async (_, i) => (await stack.jsm.streams.getMessage(STREAMS.webhooks, { seq: i + 1 }))!.json<{ id: string }>().id));
    expect(stored.sort()).toEqual(["i-1", "i-down", ...acknowledged].sort());
  });

  it("answers 503 while WEBHOOKS is full (WEBHOOKS_MAX_BYTES), refusing the new webhook rather than dropping stored ones", async () => {
    const before = (await stack.jsm.streams.info(STREAMS.webhooks)).state;
    // A limit the stream already reaches: the next webhook does not fit.
    const limited = await provision(loadProvisionConfig({ ...stack.env, WEBHOOKS_MAX_BYTES: String(before.bytes) }));
    expect(limited.jetstream.updated.map((u) => u.name)).toEqual(["stream WEBHOOKS"]);
    const res = await stack.sendGithub({ event: "push", delivery: "i-full", body });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(await res.json()).toMatchObject({ code: "store_unavailable" });
    const after = (await stack.jsm.streams.info(STREAMS.webhooks)).state;
    expect({ first: after.first_seq, messages: after.messages }).toEqual({ first: before.first_seq, messages: before.messages });

    // Room again: the provider's retry is stored.
    await provision(loadProvisionConfig(stack.env));
    const retried = await stack.sendGithub({ event: "push", delivery: "i-full", body });
    expect(retried.status).toBe(202);
    expect(await stack.streamMessages(STREAMS.webhooks)).toBe(before.messages + 1);
  });

  it("is ready while NATS answers", async () => {
    expect((await fetch(stack.url("ingress", "/readyz"))).status).toBe(200);
  });
});
