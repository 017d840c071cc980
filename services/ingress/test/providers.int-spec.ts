import { HEADERS, STREAMS } from "@hookstream/contracts";
import { TestStack } from "../../../test/support/stack";
import { ALL_PROVIDERS_ENV, now, post, SECRETS, signed } from "./signers";

// Every provider configured at once, on ingress alone with its own nats-server and database; debug logs are
// captured (refused requests are logged at debug, with their headers).
const stack = new TestStack();
const logged: string[] = [];

beforeAll(async () => {
  jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => logged.push(String(chunk)) > 0);
  await stack.start({ ...ALL_PROVIDERS_ENV, GITHUB_WEBHOOK_EVENTS: "push,pull_request", WEBHOOK_RATE_LIMIT_FAILURES: "1000/1m", LOG_LEVEL: "debug" }, ["ingress"]);
});
afterAll(async () => {
  await stack.stop();
  jest.restoreAllMocks();
});

const push = JSON.stringify({ ref: "refs/heads/main", repository: { full_name: "acme/api" } });
const stripeEvent = JSON.stringify({ id: "evt_int_1", object: "event", type: "invoice.paid", account: "acct_1", data: { object: { id: "in_1" } } });
const clerkEvent = JSON.stringify({ type: "user.created", timestamp: "2026-01-01T00:00:00Z", data: { id: "user_1" } });
const whatsapp = JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "1029", changes: [{ field: "messages", value: { messages: [{ id: "wamid.1" }] } }] }] });
const inngestEvent = JSON.stringify({ id: "01HQ8PTAESBZPBDS8JTRZZYY3S", name: "app/user.signup", data: { plan: "pro" }, ts: 1_700_000_000_000 });
const acmeEvent = JSON.stringify({ order: 42 });

/** One valid request per provider, and what ingress must store for it. */
const valid = [
  { path: "/webhooks/github", body: push, headers: () => signed.github(push, { delivery: "gh-1" }), id: "gh-1", subject: "webhooks.github.push", resource: "acme/api", kept: ["x-github-delivery", "x-github-event"] },
  { path: "/webhooks/stripe", body: stripeEvent, headers: () => signed.stripe(stripeEvent), id: "evt_int_1", subject: "webhooks.stripe.invoice_paid", resource: "acct_1", kept: [] },
  {
    path: "/webhooks/standard/clerk",
    body: clerkEvent,
    headers: () => signed.standard(clerkEvent, { id: "msg_1" }),
    id: "clerk:msg_1",
    subject: "webhooks.standard.user_created",
    resource: "clerk",
    kept: ["webhook-id", "webhook-timestamp"],
  },
  { path: "/webhooks/meta", body: whatsapp, headers: () => signed.meta(whatsapp), id: /^meta_[0-9a-f]{32}$/, subject: "webhooks.meta.whatsapp_business_account", resource: "1029", kept: [] },
  { path: "/webhooks/inngest", body: inngestEvent, headers: () => signed.inngest(inngestEvent), id: "01HQ8PTAESBZPBDS8JTRZZYY3S", subject: "webhooks.inngest.app_user_signup", resource: null, kept: [] },
  {
    path: "/webhooks/hmac/acme",
    body: acmeEvent,
    headers: () => signed.hmac(acmeEvent, { delivery: "42", event: "order.created" }),
    id: "acme:42",
    subject: "webhooks.hmac.order_created",
    resource: "acme",
    kept: ["x-acme-delivery", "x-acme-event", "x-acme-timestamp"],
  },
];

describe("ingress with every provider", () => {
  it("stores each provider's valid request once, on its subject with its id as Nats-Msg-Id, and a repeat as a duplicate", async () => {
    for (const v of valid) {
      const first = await post(stack, v.path, v.body, v.headers());
      expect([v.path, first.status]).toEqual([v.path, 202]);
      const answer = (await first.json()) as { id: string };
      expect(answer).toEqual({ status: "accepted", id: expect.stringMatching(v.id), duplicate: false });
      const again = await post(stack, v.path, v.body, v.headers());
      expect(await again.json()).toEqual({ status: "accepted", id: answer.id, duplicate: true });

      const stored = (await stack.jsm.streams.getMessage(STREAMS.webhooks, { last_by_subj: v.subject }))!;
      expect(stored.header.get(HEADERS.msgId)).toBe(answer.id);
      expect(stored.header.get(HEADERS.eventId)).toBe(answer.id);
      expect(stored.header.get(HEADERS.source)).toBe(v.path.split("/")[2]);
      expect(stored.header.get(HEADERS.resource)).toBe(v.resource ?? "");
      const envelope = stored.json<{ id: string; resource: string | null; payload: unknown; headers: Record<string, string> }>();
      expect(envelope).toMatchObject({ id: answer.id, resource: v.resource, payload: JSON.parse(v.body) });
      expect(Object.keys(envelope.headers).sort()).toEqual([...v.kept, "content-type", "user-agent"].sort());
    }
    expect(await stack.streamMessages(STREAMS.webhooks)).toBe(valid.length);
  });

  it("accepts a secret being rotated in beside the current one", async () => {
    const event = JSON.stringify({ id: "evt_int_rotated", type: "invoice.paid" });
    const res = await post(stack, "/webhooks/stripe", event, signed.stripe(event, { secret: "whsec_int_previous" }));
    expect(res.status).toBe(202);
    expect(await stack.streamMessages(STREAMS.webhooks)).toBe(valid.length + 1);
  });

  it("refuses each kind of bad input with its status and code, storing nothing", async () => {
    const before = await stack.streamMessages(STREAMS.webhooks);
    // An hour out, not a second past the 300 s tolerance: the cases are sent one by one, and on a loaded machine a
    // timestamp one second in the future was within tolerance by the time its request arrived.
    const expired = now() - 3600;
    const future = now() + 3600;
    const noId = JSON.stringify({ type: "invoice.paid" });
    const cases: Array<[string, string, string, Record<string, string>, number, string]> = [
      ["github, wrong secret", "/webhooks/github", push, signed.github(push, { delivery: "gh-x", secret: "wrong" }), 401, "invalid_signature"],
      ["github, tampered body", "/webhooks/github", `${push} `, signed.github(push, { delivery: "gh-x" }), 401, "invalid_signature"],
      ["github, no signature", "/webhooks/github", push, { "x-github-delivery": "gh-x", "x-github-event": "push" }, 401, "missing_signature"],
      ["github, sha1 signature", "/webhooks/github", push, { ...signed.github(push, { delivery: "gh-x" }), "x-hub-signature-256": "sha1=abc" }, 401, "malformed_signature"],
      ["github, empty body", "/webhooks/github", "", signed.github("", { delivery: "gh-x" }), 400, "malformed_body"],
      ["github, no delivery id", "/webhooks/github", push, { ...signed.github(push, { delivery: "" }) }, 400, "missing_header"],
      ["github, delivery id too long", "/webhooks/github", push, signed.github(push, { delivery: "d".repeat(300) }), 400, "invalid_event"],
      ["stripe, expired timestamp", "/webhooks/stripe", stripeEvent, signed.stripe(stripeEvent, { t: expired }), 401, "timestamp_out_of_tolerance"],
      ["stripe, future timestamp", "/webhooks/stripe", stripeEvent, signed.stripe(stripeEvent, { t: future }), 401, "timestamp_out_of_tolerance"],
      ["stripe, garbage header", "/webhooks/stripe", stripeEvent, { "stripe-signature": "garbage" }, 401, "malformed_signature"],
      ["stripe, signed malformed JSON", "/webhooks/stripe", "{not json", signed.stripe("{not json"), 400, "malformed_body"],
      ["stripe, signed event without id", "/webhooks/stripe", noId, signed.stripe(noId), 400, "malformed_body"],
      ["standard, expired timestamp", "/webhooks/standard/clerk", clerkEvent, signed.standard(clerkEvent, { id: "msg_x", t: expired }), 401, "timestamp_out_of_tolerance"],
      ["standard, another key", "/webhooks/standard/clerk", clerkEvent, signed.standard(clerkEvent, { id: "msg_x", key: Buffer.from("other").toString("base64") }), 401, "invalid_signature"],
      ["standard, id not the signed one", "/webhooks/standard/clerk", clerkEvent, { ...signed.standard(clerkEvent, { id: "msg_x" }), "webhook-id": "msg_y" }, 401, "invalid_signature"],
      ["standard, unconfigured name", "/webhooks/standard/nobody", clerkEvent, signed.standard(clerkEvent, { id: "msg_x" }), 404, "source_not_configured"],
      ["meta, tampered body", "/webhooks/meta", whatsapp.replace("wamid.1", "wamid.2"), signed.meta(whatsapp), 401, "invalid_signature"],
      ["meta, signed body without entries", "/webhooks/meta", "{}", signed.meta("{}"), 400, "malformed_body"],
      ["inngest, expired timestamp", "/webhooks/inngest", inngestEvent, signed.inngest(inngestEvent, { t: expired }), 401, "timestamp_out_of_tolerance"],
      ["hmac, no id header", "/webhooks/hmac/acme", acmeEvent, signed.hmac(acmeEvent, { event: "order.created" }), 400, "missing_header"],
      ["hmac, unconfigured name", "/webhooks/hmac/nobody", acmeEvent, signed.hmac(acmeEvent, { delivery: "1" }), 404, "source_not_configured"],
    ];
    for (const [name, path, body, headers, status, code] of cases) {
      const res = await post(stack, path, body, headers);
      const answer = (await res.json()) as { code: string; message: string };
      expect([name, res.status, answer.code]).toEqual([name, status, code]);
      expect(typeof answer.message).toBe("string");
      expect(JSON.stringify(answer)).not.toMatch(/int-|whsec_|stack|at \//);
    }
    expect(await stack.streamMessages(STREAMS.webhooks)).toBe(before);
  });

  it("logs refused requests with their signature headers redacted", async () => {
    const headers = { ...signed.stripe(stripeEvent, { t: now() - 3600 }), authorization: "Bearer secret-token" };
    expect((await post(stack, "/webhooks/stripe", stripeEvent, headers)).status).toBe(401);
    const line = logged.find((l) => l.includes("stripe: 401 timestamp_out_of_tolerance"));
    expect(line).toContain("[redacted]");
    expect(line).toContain("content-type");
    expect(logged.join("")).not.toContain(headers["stripe-signature"]);
    expect(logged.join("")).not.toContain("secret-token");
  });

  it("answers events outside a source's allowlist 202 ignored, and stores none of them", async () => {
    const before = await stack.streamMessages(STREAMS.webhooks);
    const res = await post(stack, "/webhooks/github", push, signed.github(push, { delivery: "gh-issues", event: "issues" }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "ignored", id: "gh-issues", type: "issues" });
    expect(await stack.streamMessages(STREAMS.webhooks)).toBe(before);
  });

  it("answers a GitHub ping inline with 200, whatever the allowlist", async () => {
    const body = JSON.stringify({ zen: "Design for failure.", hook_id: 1 });
    const res = await post(stack, "/webhooks/github", body, signed.github(body, { delivery: "gh-ping", event: "ping" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "pong", id: "gh-ping" });
  });

  it("answers Meta's verification handshake with the challenge, and refuses a wrong token or mode", async () => {
    const handshake = (query: string) => fetch(stack.url("ingress", `/webhooks/meta?${query}`));
    const ok = await handshake(`hub.mode=subscribe&hub.verify_token=${SECRETS.metaVerifyToken}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe("1158201444");
    const wrong = await handshake("hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1");
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: "invalid_signature" });
    const mode = await handshake(`hub.mode=unsubscribe&hub.verify_token=${SECRETS.metaVerifyToken}&hub.challenge=1`);
    expect(mode.status).toBe(400);
    const reflected = await handshake(`hub.mode=subscribe&hub.verify_token=${SECRETS.metaVerifyToken}&hub.challenge=%3Cscript%3E`);
    expect(reflected.status).toBe(400);
  });

  it("sends security headers on every response and exposes nothing but webhooks, health and metrics", async () => {
    const responses = await Promise.all([
      post(stack, "/webhooks/github", push, signed.github(push, { delivery: "gh-1" })),
      post(stack, "/webhooks/github", push, {}),
      fetch(stack.url("ingress", "/healthz")),
      fetch(stack.url("ingress", "/metrics")),
      fetch(stack.url("ingress", "/")),
    ]);
    expect(responses.map((r) => r.status)).toEqual([202, 401, 200, 200, 404]);
    for (const r of responses) {
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(r.headers.get("x-frame-options")).toBe("DENY");
      expect(r.headers.get("cache-control")).toBe("no-store");
      expect(r.headers.get("x-powered-by")).toBeNull();
    }
    for (const [method, path] of [["GET", "/admin/subscriptions"], ["GET", "/admin/dlq"], ["POST", "/webhooks/unknown"], ["GET", "/webhooks/github"], ["PUT", "/webhooks/github"], ["GET", "/docs"]]) {
      const r = await fetch(stack.url("ingress", path!), { method });
      expect([method, path, r.status]).toEqual([method, path, 404]);
    }
  });

  it("counts requests by source, outcome and status, verification failures by reason, and body sizes, with no ids in labels", async () => {
    const text = await (await fetch(stack.url("ingress", "/metrics"))).text();
    const line = (re: RegExp) => text.split("\n").find((l) => re.test(l));
    expect(line(/^hookstream_ingress_requests_total\{.*source="stripe",outcome="accepted",status="202"/)).toMatch(/ [1-9]\d*$/);
    expect(line(/^hookstream_ingress_requests_total\{.*source="stripe",outcome="duplicate",status="202"/)).toBeDefined();
    expect(line(/^hookstream_ingress_requests_total\{.*source="github",outcome="ignored",status="202"/)).toBeDefined();
    expect(line(/^hookstream_ingress_requests_total\{.*source="standard",outcome="not_configured",status="404"/)).toBeDefined();
    expect(line(/^hookstream_ingress_verification_failures_total\{.*source="stripe",reason="timestamp_out_of_tolerance"/)).toMatch(/ 3$/);
    expect(line(/^hookstream_ingress_body_bytes_count\{.*source="standard\/clerk"/)).toBeDefined();
    expect(line(/^hookstream_operation_duration_seconds_count\{.*operation="ingest"/)).toBeDefined();
    expect(text).not.toMatch(/evt_int|gh-1|msg_1|nobody/);
  });
});
