import type { SourceConfig } from "./config";
import { eventAllowed, genericHmac, github, inngest, meta, metaEventId, sourceOf, standard, stripe, type Description } from "./providers";
import { verifyInput } from "./verifiers/verifier.contract";

const describeWith = (describe: (i: ReturnType<typeof verifyInput>, p: unknown) => Description, headers: Record<string, string>, payload: unknown) =>
  describe(verifyInput({ headers }), payload);
const event = (id: string, type: string, resource: string | null, ping = false): Description => ({ ok: true, event: { id, type, resource, ping } });

describe("github", () => {
  const headers = { "x-github-delivery": "d-1", "x-github-event": "push" };

  it("reads the delivery id, the event and the repository (or organization)", () => {
    expect(describeWith(github.describe, headers, { repository: { full_name: "acme/api" } })).toEqual(event("d-1", "push", "acme/api"));
    expect(describeWith(github.describe, headers, { organization: { login: "acme" } })).toEqual(event("d-1", "push", "acme"));
    expect(describeWith(github.describe, headers, [])).toEqual(event("d-1", "push", null));
  });

  it("marks a ping, and needs both headers", () => {
    expect(describeWith(github.describe, { ...headers, "x-github-event": "ping" }, {})).toEqual(event("d-1", "ping", null, true));
    expect(describeWith(github.describe, { "x-github-event": "push" }, {})).toMatchObject({ ok: false, reason: "missing_header", message: expect.stringContaining("X-GitHub-Delivery") });
    expect(describeWith(github.describe, { "x-github-delivery": "d-1", "x-github-event": "" }, {})).toMatchObject({ ok: false, reason: "missing_header" });
  });
});

describe("stripe", () => {
  it("reads id and type from the body, and a Connect account as the resource", () => {
    expect(describeWith(stripe.describe, {}, { id: "evt_1", type: "invoice.paid" })).toEqual(event("evt_1", "invoice.paid", null));
    expect(describeWith(stripe.describe, {}, { id: "evt_1", type: "invoice.paid", account: "acct_9" })).toEqual(event("evt_1", "invoice.paid", "acct_9"));
  });

  it("refuses a body without a string id or type", () => {
    for (const body of [{ type: "x" }, { id: 1, type: "x" }, { id: "evt_1" }, null, "evt_1", []]) expect(describeWith(stripe.describe, {}, body)).toMatchObject({ ok: false, reason: "malformed_body" });
  });
});

describe("inngest", () => {
  it("reads id and event name from the body", () => {
    expect(describeWith(inngest.describe, {}, { id: "01H", name: "app/user.signup", data: {} })).toEqual(event("01H", "app/user.signup", null));
    expect(describeWith(inngest.describe, {}, { id: "", name: "x" })).toMatchObject({ ok: false, reason: "malformed_body" });
  });
});

describe("standard", () => {
  const clerk = standard("clerk");

  it("reads webhook-id (or svix-id) and the payload type; id and resource carry the source name", () => {
    expect(describeWith(clerk.describe, { "webhook-id": "msg_1" }, { type: "user.created", data: {} })).toEqual(event("clerk:msg_1", "user.created", "clerk"));
    expect(describeWith(clerk.describe, { "svix-id": "msg_2" }, { type: "user.created" })).toEqual(event("clerk:msg_2", "user.created", "clerk"));
  });

  it("needs the id header and a type", () => {
    expect(describeWith(clerk.describe, {}, { type: "user.created" })).toMatchObject({ ok: false, reason: "missing_header" });
    expect(describeWith(clerk.describe, { "webhook-id": "msg_1" }, { data: {} })).toMatchObject({ ok: false, reason: "malformed_body" });
  });
});

describe("genericHmac", () => {
  const settings = { algorithm: "sha256", encoding: "hex", signatureHeader: "X-Sig", idHeader: "x-delivery" } as const;

  it("reads the id from its configured header, and the type from its event header or else calls it webhook", () => {
    const typed = genericHmac("acme", { ...settings, eventHeader: "x-event" });
    expect(describeWith(typed.describe, { "x-delivery": "7", "x-event": "order.created" }, {})).toEqual(event("acme:7", "order.created", "acme"));
    expect(describeWith(typed.describe, { "x-delivery": "7" }, {})).toMatchObject({ ok: false, reason: "missing_header", message: expect.stringContaining("x-event") });
    expect(describeWith(genericHmac("acme", settings).describe, { "x-delivery": "7" }, "not an object")).toEqual(event("acme:7", "webhook", "acme"));
    expect(describeWith(genericHmac("acme", settings).describe, {}, {})).toMatchObject({ ok: false, reason: "missing_header", message: expect.stringContaining("x-delivery") });
  });

  it("keeps its id, event and timestamp headers, and knows its signature header", () => {
    const p = genericHmac("acme", { ...settings, eventHeader: "x-event", timestampHeader: "x-ts" });
    expect(p.keptHeaders).toEqual(["x-delivery", "x-event", "x-ts", "user-agent", "content-type"]);
    expect(p.signatureHeaders).toEqual(["x-sig"]);
  });
});

describe("meta", () => {
  const whatsapp = (status: string, extra: Record<string, unknown> = {}) => ({
    object: "whatsapp_business_account",
    entry: [{ id: "1029", changes: [{ field: "messages", value: { statuses: [{ id: "wamid.A", status, timestamp: "1700000000" }], ...extra } }] }],
  });

  it("derives the same id for the same notifications, however the JSON was written", () => {
    const a = whatsapp("delivered");
    const reordered = JSON.parse(`{"entry":[{"changes":[{"value":{"statuses":[{"timestamp":"1700000000","status":"delivered","id":"wamid.A"}]},"field":"messages"}],"id":"1029"}],"object":"whatsapp_business_account"}`);
    expect(metaEventId(a)).toMatch(/^meta_[0-9a-f]{32}$/);
    expect(metaEventId(reordered)).toBe(metaEventId(a));
  });

  it("derives different ids for notifications that share a message id", () => {
    expect(metaEventId(whatsapp("delivered"))).not.toBe(metaEventId(whatsapp("read")));
    expect(metaEventId({ ...whatsapp("read"), entry: [{ ...whatsapp("read").entry[0], id: "2048" }] })).not.toBe(metaEventId(whatsapp("read")));
  });

  it("needs entries that each have an id", () => {
    for (const body of [{}, { entry: [] }, { entry: {} }, { entry: [{ changes: [] }] }, { entry: [{ id: "1" }, { id: null }] }, null]) expect(metaEventId(body)).toBeNull();
    expect(metaEventId({ entry: [{ id: 17 }] })).not.toBeNull();
  });

  it("describes the object as the type, and the entry id as the resource when all entries share one", () => {
    const id = metaEventId(whatsapp("sent"))!;
    expect(describeWith(meta.describe, {}, whatsapp("sent"))).toEqual(event(id, "whatsapp_business_account", "1029"));
    const page = { object: "page", entry: [{ id: "1", time: 1 }, { id: "2", time: 1 }] };
    expect(describeWith(meta.describe, {}, page)).toEqual(event(metaEventId(page)!, "page", null));
    expect(describeWith(meta.describe, {}, { entry: [{ id: "1" }] })).toMatchObject({ ok: false, reason: "malformed_body" });
    expect(describeWith(meta.describe, {}, { object: "page" })).toMatchObject({ ok: false, reason: "malformed_body" });
  });
});

describe("sourceOf", () => {
  const base: Omit<SourceConfig, "kind"> = { secrets: ["s"], events: [], maxBodyBytes: 1 };

  it("keys a source by its path under /webhooks/", () => {
    expect(sourceOf({ ...base, kind: "github" })).toMatchObject({ key: "github", provider: github });
    expect(sourceOf({ ...base, kind: "meta" })).toMatchObject({ key: "meta", provider: meta });
    expect(sourceOf({ ...base, kind: "standard", name: "clerk" }).key).toBe("standard/clerk");
    expect(sourceOf({ ...base, kind: "hmac", name: "acme", hmac: { algorithm: "sha256", encoding: "hex", signatureHeader: "x-sig", idHeader: "x-id" } }).key).toBe("hmac/acme");
  });
});

describe("eventAllowed", () => {
  it("allows every type without patterns, else exact types and prefixes ending in *", () => {
    expect(eventAllowed([], "anything")).toBe(true);
    expect(eventAllowed(["push", "customer.*"], "push")).toBe(true);
    expect(eventAllowed(["push", "customer.*"], "customer.subscription.updated")).toBe(true);
    expect(eventAllowed(["push", "customer.*"], "customer")).toBe(false);
    expect(eventAllowed(["push", "customer.*"], "pull_request")).toBe(false);
    expect(eventAllowed(["push"], "push_extra")).toBe(false);
    expect(eventAllowed(["*"], "x")).toBe(true);
  });
});
