import http from "node:http";
import { connect } from "node:net";
import { STREAMS } from "@hookstream/contracts";
import { TestStack } from "../../../test/support/stack";
import { post, SECRETS, signed } from "./signers";

// Small limits, so each bound shows quickly: 64 KiB bodies for GitHub, 5 refused requests per client, 20 verified
// Stripe events a minute, a 1 s header and 2 s request deadline.
const stack = new TestStack();
const LIMIT = 64 * 1024;

beforeAll(async () => {
  await stack.start(
    {
      GITHUB_WEBHOOK_MAX_BODY_BYTES: String(LIMIT),
      STRIPE_WEBHOOK_SECRET: SECRETS.stripe,
      WEBHOOK_RATE_LIMIT_FAILURES: "5/1m",
      WEBHOOK_RATE_LIMIT_VERIFIED: "20/1m",
      HTTP_HEADERS_TIMEOUT: "1s",
      HTTP_REQUEST_TIMEOUT: "2s",
    },
    ["ingress"],
  );
});
afterAll(() => stack.stop());

/** A request from another client: loopback is a trusted proxy, so X-Forwarded-For names the client. */
const from = (client: string) => ({ "x-forwarded-for": client });
const small = JSON.stringify({ ref: "refs/heads/main", repository: { full_name: "acme/api" } });

/**
 * Sends headers, then (unless the server answers first) `chunks` one by one, `pauseMs` apart; resolves with the answer
 * and how much was sent.
 */
function upload(headers: Record<string, string | number>, chunks: Buffer[], pauseMs = 20): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(stack.url("ingress", "/webhooks/github"), { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => {
        resolve({ status: res.statusCode!, body, headers: res.headers, sent });
        req.destroy();
      });
    });
    req.on("error", (e) => !answered && reject(e));
    req.flushHeaders();
    void (async () => {
      for (const chunk of chunks) {
        await new Promise((r) => setTimeout(r, pauseMs));
        if (answered || req.destroyed) return;
        req.write(chunk);
        sent += chunk.length;
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

describe("ingress bounds", () => {
  it("refuses a declared Content-Length over the source's limit with 413 before reading the body", async () => {
    const body = Buffer.alloc(LIMIT + 1, "x");
    // Time enough for the answer to arrive first, however busy the machine.
    const res = await upload({ "content-length": body.length, ...signed.github(body.toString(), { delivery: "big-1" }) }, [body], 2000);
    expect(res.status).toBe(413);
    expect(res.sent).toBe(0);
    expect(res.headers.connection).toBe("close");
    expect(JSON.parse(res.body)).toEqual({ code: "payload_too_large", message: expect.any(String) });
  });

  it("stops reading a streamed body once it passes the limit, and answers 413", async () => {
    const chunk = Buffer.alloc(16 * 1024, "x");
    const res = await upload({ "transfer-encoding": "chunked", ...signed.github("", { delivery: "big-2" }) }, Array.from({ length: 64 }, () => chunk));
    expect(res.status).toBe(413);
    expect(res.sent).toBeLessThan(16 * chunk.length);
    expect(JSON.parse(res.body)).toMatchObject({ code: "payload_too_large" });
  });

  it("accepts a body at the limit", async () => {
    const body = JSON.stringify({ repository: { full_name: "acme/api" }, pad: "" });
    const padded = body.replace('"pad":""', `"pad":"${"x".repeat(LIMIT - body.length)}"`);
    expect(Buffer.byteLength(padded)).toBe(LIMIT);
    expect((await post(stack, "/webhooks/github", padded, signed.github(padded, { delivery: "at-limit" }))).status).toBe(202);
  });

  it("answers 429 with Retry-After once a client's refused requests pass its limit, to that client only", async () => {
    const before = await stack.streamMessages(STREAMS.webhooks);
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => post(stack, "/webhooks/github", small, { ...signed.github(small, { delivery: `bad-${i}`, secret: "wrong" }), ...from("198.51.100.1") })));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    const limited = burst.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ code: "rate_limited" });

    // The same client is held off even when signed correctly; another client is not.
    expect((await post(stack, "/webhooks/github", small, { ...signed.github(small, { delivery: "good-a" }), ...from("198.51.100.1") })).status).toBe(429);
    expect((await post(stack, "/webhooks/github", small, { ...signed.github(small, { delivery: "good-b" }), ...from("198.51.100.2") })).status).toBe(202);
    expect(await stack.streamMessages(STREAMS.webhooks)).toBe(before + 1);
  });

  it("counts requests to an unconfigured source as refused", async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await post(stack, "/webhooks/inngest", small, from("198.51.100.3"))).status);
    expect(answers).toEqual([404, 404, 404, 404, 404, 429]);
  });

  it("limits verified traffic per source, answering 429 with Retry-After past it", async () => {
    const before = await stack.streamMessages(STREAMS.webhooks);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const event = JSON.stringify({ id: `evt_limit_${i}`, type: "invoice.paid" });
      const res = await post(stack, "/webhooks/stripe", event, { ...signed.stripe(event), ...from(`203.0.113.${i}`) });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    expect(statuses).toEqual([...Array<number>(20).fill(202), ...Array<number>(5).fill(429)]);
    expect(await stack.streamMessages(STREAMS.webhooks)).toBe(before + 20);
    // GitHub has its own bucket.
    expect((await post(stack, "/webhooks/github", small, { ...signed.github(small, { delivery: "other-source" }), ...from("203.0.113.99") })).status).toBe(202);
  });

  /** Opens a raw connection, writes `text`, and resolves with what the server sent and how long until it closed. */
  function stall(text: string): Promise<{ reply: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      let reply = "";
      const socket = connect(stack.ports.ingress, "127.0.0.1", () => socket.write(text));
      socket.setEncoding("utf8").on("data", (d: string) => (reply += d));
      socket.on("close", () => resolve({ reply, ms: Date.now() - started }));
      socket.on("error", reject);
    });
  }

  it("disconnects a client that does not finish its headers in time", async () => {
    const { reply, ms } = await stall("POST /webhooks/github HTTP/1.1\r\nHost: ingress\r\nX-GitHub-Event: push\r\n");
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(5000);
  });

  it("disconnects a client that does not finish its body in time", async () => {
    const { reply, ms } = await stall("POST /webhooks/github HTTP/1.1\r\nHost: ingress\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":");
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(6000);
    const metrics = await (await fetch(stack.url("ingress", "/metrics"))).text();
    expect(metrics).toMatch(/hookstream_ingress_requests_total\{source="github",outcome="abandoned",status="none"[^}]*\} 1\b/);
  });
});
