import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { signed } from "../../../services/ingress/test/signers";

export type Target = "ingress" | "router" | "dlq" | "worker";
export type Framing = "length" | "chunked" | "none" | "short" | "conflict";
/** What the Authorization header carried: only `admin` and `read` are valid tokens. */
export type TokenKind = "admin" | "read" | "none" | "wrong";

/** The body as data, turned into bytes when sent (a large body is never held for long). */
export type BodySpec = { kind: "bytes"; bytes: Buffer } | { kind: "large"; size: number } | { kind: "gzip-bomb" };

export interface FuzzRequest {
  target: Target;
  method: string;
  path: string;
  headers: Array<[name: string, value: string | Buffer]>;
  body: BodySpec;
  framing: Framing;
  token: TokenKind;
  /** Sign the body the way this provider does (a verified request reaches parsing, description and storage). */
  signAs?: keyof typeof signed;
  /**
   * A close without an answer is allowed: malformed headers or framing, CONNECT (Node closes those unless a tunnel is
   * served), or a body over the limit (answered early, and the unread upload resets the connection, which may
   * discard the answer before the client reads it).
   */
  mayClose: boolean;
}

export interface FuzzTokens {
  admin: string;
  read: string;
}

/** Placeholder for a workspace id in bodies: sent as `fuzz-…` with a valid token and as `intruder-…` without. */
export const WORKSPACE_MARK = "%WS%";

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const weighted = <T>(...entries: Array<[number, fc.Arbitrary<T>]>) => fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));

/** Strings that break parsers, validators, SQL drivers and URL handling more often than random ones do. */
const nastyString = weighted<string>(
  [6, pick("", " ", "a", "\u0000", "a\u0000b", "\ud800", "\udfff", "💥", "é", "../../etc/passwd", "' OR 1=1 --", "${jndi:ldap://x/a}", "<script>alert(1)</script>")],
  [4, pick("*", "acme/*", "acme/api", "acme/fuzz", "github", "stripe", "standard", "meta", "__proto__", "constructor", "prototype", "toString")],
  [3, pick("1e309", "-1", "NaN", "true", "null", "0x10", "2026-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999+14:00", "2026-13-45T99:99:99Z")],
  [3, pick("whsec_", "whsec_!!!", `whsec_${Buffer.alloc(32, 7).toString("base64")}`, "http://127.0.0.1:9/fuzz", "http://[::1]:9/", "javascript:alert(1)", "file:///etc/passwd", "http://", "https://user:pw@127.0.0.1:9/")],
  [2, pick("pending", "failed", "replayed", "resolved", "discarded", "validation", "transient", "permanent", "bulk_replay", "replay")],
  [5, fc.string({ unit: "binary", maxLength: 40 })],
  [2, fc.string({ maxLength: 300 })],
  [1, fc.integer({ min: 256, max: 70_000 }).map((n) => "x".repeat(n))],
  [2, fc.uuid()],
);

const nastyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: weighted<unknown>(
    [8, nastyString],
    [3, pick<unknown>(0, -1, 1.5, -0, 1e308, 2 ** 53 + 1, 500, 501, 1_000_000, true, false, null)],
    [2, fc.array(tie("value"), { maxLength: 4 })],
    [1, fc.array(nastyString, { minLength: 0, maxLength: 1200 })],
    [1, pick({ $gt: "" }, { __proto__: { admin: true } }, JSON.parse('{"__proto__":{"polluted":1}}'), { constructor: { prototype: { polluted: 1 } } })],
  ),
})).value;

/** Sometimes the field, sometimes a nasty value in its place, sometimes missing. */
const field = (good: fc.Arbitrary<unknown>) => weighted<unknown>([6, good], [3, nastyValue]);
const fields = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, field(v)])), { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;

const subscriptionBody = fields({
  workspaceId: fc.constant(WORKSPACE_MARK),
  source: pick("github", "stripe", "standard", "meta", "inngest", "hmac", "gitlab"),
  // Never a pattern a fuzzed webhook matches: fuzzed subscriptions must not fan every event out.
  resource: pick("fuzz-sub/one", "fuzz-sub/*", "fuzz-sub/two"),
  eventTypes: fc.array(pick("push", "pull_request", "*"), { maxLength: 3 }),
  actions: fc.array(pick("opened", "closed"), { maxLength: 3 }),
  destinationUrl: pick("http://127.0.0.1:9/fuzz"),
  destinationSecret: pick(`whsec_${Buffer.alloc(32, 7).toString("base64")}`, "whsec_short"),
});

const dlqBody = fields({
  status: pick("pending", "failed", "resolved"),
  category: pick("validation", "transient", "permanent"),
  source: pick("github", "stripe"),
  eventType: pick("push"),
  workspaceId: fc.constant(WORKSPACE_MARK),
  eventIds: fc.array(fc.uuid(), { maxLength: 3 }),
  since: pick("2026-01-01T00:00:00Z"),
  until: pick("2027-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
  needsManualIntervention: fc.boolean(),
  dryRun: fc.boolean(),
  rate: fc.integer({ min: -5, max: 100_000 }),
  note: nastyString,
});

const webhookBody = weighted<Record<string, unknown>>(
  [3, fields({ action: pick("opened", "closed", "created"), number: fc.nat(), repository: fields({ full_name: pick("acme/fuzz", "a/b/c", ""), id: fc.nat() }), organization: fields({ login: pick("acme") }), zen: pick("Keep it simple.") })],
  [2, fields({ id: pick("evt_fuzz_1", ""), type: pick("invoice.paid", "a.b"), account: pick("acct_1"), data: fields({ object: fields({ id: pick("in_1") }) }) })],
  [1, fields({ type: pick("user.created"), timestamp: pick("2026-01-01T00:00:00Z"), data: fields({ id: pick("user_1") }) })],
  [1, fields({ object: pick("whatsapp_business_account", "page"), entry: fc.array(fields({ id: pick("1"), time: fc.nat(), changes: fc.array(fields({ field: pick("messages"), value: nastyValue }), { maxLength: 2 }) }), { maxLength: 3 }) })],
  [1, fields({ name: pick("app/user.created"), id: pick("01J000"), data: nastyValue, ts: fc.nat() })],
);

/** Small edits of a valid document: the near misses a hand-written parser gets wrong. */
function mutate(text: string, edits: Array<[kind: number, at: number, n: number]>): string {
  let s = text;
  for (const [kind, at, n] of edits) {
    const i = s.length === 0 ? 0 : at % s.length;
    if (kind === 0) s = s.slice(0, i) + s.slice(i + 1 + (n % 8));
    else if (kind === 1) s = s.slice(0, i) + String.fromCharCode(n % 0x110) + s.slice(i);
    else if (kind === 2) s = s.slice(0, i);
    else s = s.slice(0, i) + s.slice(i, i + 1 + (n % 16)).repeat(2) + s.slice(i);
  }
  return s;
}

const jsonDocument = weighted<unknown>([3, subscriptionBody], [3, dlqBody], [3, webhookBody], [2, fc.jsonValue({ maxDepth: 4 })]);

const bytes = (b: Buffer): BodySpec => ({ kind: "bytes", bytes: b });
const body: fc.Arbitrary<BodySpec> = weighted<BodySpec>(
  [12, jsonDocument.map((d) => bytes(Buffer.from(JSON.stringify(d) ?? "null")))],
  [5, fc.tuple(jsonDocument, fc.array(fc.tuple(fc.nat(3), fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 })).map(([d, e]) => bytes(Buffer.from(mutate(JSON.stringify(d) ?? "", e))))],
  [2, pick<BodySpec>(bytes(Buffer.alloc(0)))],
  [2, fc.uint8Array({ maxLength: 2048 }).map((u) => bytes(Buffer.from(u)))],
  // Invalid UTF-8 inside an otherwise valid JSON string: lone continuation, overlong, surrogate half, truncated sequence.
  [2, fc.tuple(pick([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xc3, 0x28]), pick("workspaceId", "note", "full_name")).map(([b, key]) =>
    bytes(Buffer.concat([Buffer.from(`{"${key}":"a`), Buffer.from(b), Buffer.from(`b","workspaceId":"${WORKSPACE_MARK}","source":"github","resource":"fuzz-sub/x","repository":{"full_name":"acme/fuzz"}}`)])),
  )],
  [1, fc.tuple(fc.integer({ min: 1000, max: 200_000 }), pick("[", '{"a":')).map(([n, open]) => bytes(Buffer.from(open.repeat(n))))],
  [2, jsonDocument.map((d) => bytes(gzipSync(JSON.stringify(d) ?? "null")))],
  [1, pick<BodySpec>({ kind: "gzip-bomb" })],
  [1, fc.integer({ min: 1 << 20, max: 6 << 20 }).map((size): BodySpec => ({ kind: "large", size }))],
);

const INGRESS_PATHS = ["/webhooks/github", "/webhooks/stripe", "/webhooks/standard/clerk", "/webhooks/meta", "/webhooks/inngest", "/webhooks/hmac/acme", "/webhooks/standard/unknown", "/webhooks/hmac/nope", "/webhooks/gitlab", "/webhooks/", "/webhooks", "/webhooks/github/extra"];
const COMMON_PATHS = ["/healthz", "/readyz", "/metrics", "/", "/favicon.ico", "/admin"];
const ROUTER_PATHS = ["/admin/subscriptions", "/admin/subscriptions/:id", "/admin/events/:id", "/admin/subscriptions/"];
const DLQ_PATHS = ["/admin/dlq", "/admin/dlq/stats", "/admin/dlq/audit", "/admin/dlq/:id", "/admin/dlq/:id/replay", "/admin/dlq/:id/resolve", "/admin/dlq/:id/discard", "/admin/dlq/replay", "/admin/replay", "/admin/operations/:id"];
const QUERY_KEYS = ["workspaceId", "source", "limit", "cursor", "status", "category", "since", "until", "action", "entryId", "needsManualIntervention", "eventType", "hub.mode", "hub.verify_token", "hub.challenge", "__proto__[polluted]", "constructor[prototype][x]"];

/** Percent-encodes any string, lone surrogates included (encodeURIComponent throws on them). */
const encode = (s: string) => [...Buffer.from(s, "utf8")].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, "0")}`)).join("");

const query = weighted<string>(
  [5, pick("")],
  [4, fc.array(fc.tuple(pick(...QUERY_KEYS), nastyString), { minLength: 1, maxLength: 5 }).map((kv) => `?${kv.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&")}`)],
  [1, pick("?%zz", "?%00=%00", "?%ff%fe=1", "?limit=1&limit=2", "?&&&=", "?hub.mode=subscribe&hub.verify_token=x&hub.challenge=123", "?cursor=%E0%A4%A")],
);

function pathFor(target: Target) {
  const bases = { ingress: INGRESS_PATHS, router: ROUTER_PATHS, dlq: DLQ_PATHS, worker: [] as string[] }[target];
  const id = weighted<string>([3, fc.uuid()], [3, nastyString.map(encode)], [1, pick("%2e%2e", "..", "%2F", "00000000-0000-0000-0000-000000000000", "%00")]);
  return fc
    .tuple(pick(...bases, ...COMMON_PATHS), id, query, fc.nat(9))
    .map(([base, idValue, q, shape]) => {
      let p = base.replace(":id", idValue);
      if (shape === 0) p = p.toUpperCase();
      else if (shape === 1) p = `${p}/`;
      else if (shape === 2) p = p.replace("/", "//");
      else if (shape === 3) p = `/x/..${p}`;
      return p + q;
    });
}

const TOKENS_BY_KIND = (t: FuzzTokens): Record<string, [TokenKind, string | undefined]> => ({
  none: ["none", undefined],
  admin: ["admin", `Bearer ${t.admin}`],
  adminLower: ["admin", `bearer ${t.admin}`],
  adminSpaced: ["admin", `Bearer    ${t.admin}`],
  read: ["read", `Bearer ${t.read}`],
  prefix: ["wrong", `Bearer ${t.admin.slice(0, -1)}`],
  suffix: ["wrong", `Bearer ${t.admin}x`],
  upper: ["wrong", `Bearer ${t.admin.toUpperCase()}`],
  basic: ["wrong", `Basic ${Buffer.from(`admin:${t.admin}`).toString("base64")}`],
  empty: ["wrong", "Bearer "],
  scheme: ["wrong", t.admin],
  two: ["wrong", `Bearer ${t.admin} ${t.admin}`],
  huge: ["wrong", `Bearer ${"A".repeat(12_000)}`],
  other: ["wrong", "Bearer dev-admin-token"],
});

const headerName = weighted<string>(
  [6, pick("x-github-event", "x-github-delivery", "x-hub-signature-256", "stripe-signature", "webhook-id", "webhook-timestamp", "webhook-signature", "svix-id", "svix-signature", "x-inngest-signature", "x-acme-signature", "x-acme-delivery", "x-acme-timestamp", "x-forwarded-for", "traceparent", "tracestate", "baggage", "content-length", "transfer-encoding", "expect", "accept-encoding", "cookie", "x-request-id")],
  [2, fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/)],
  [1, pick("bad name", "x:y", "\u00e9t\u00e9", "", "x\u0000")],
);

const headerValue = weighted<string | Buffer>(
  [6, nastyString.map((s) => s.replace(/[\r\n]/g, ""))],
  [2, pick("sha256=", "sha256=zz", `sha256=${"a".repeat(64)}`, "t=1,v1=", `t=${Math.floor(Date.now() / 1000)},v1=${"b".repeat(64)}`, "v1,AAAA", "v1,", "t=1&s=", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-zz-zz-zz", "1.2.3.4, 10.0.0.1", "::1", "unknown, , ,", "100-continue", "gzip", "chunked")],
  [1, fc.uint8Array({ minLength: 1, maxLength: 64 }).map((u) => Buffer.from(u.filter((b) => b !== 10 && b !== 13)))],
);
/** Mostly the plausible values above; now and then one too large for any server's header limit. */
const extraHeaderValue = weighted<string | Buffer>([30, headerValue], [1, fc.integer({ min: 4_000, max: 90_000 }).map((n) => "h".repeat(n))]);

const anyRequest = (tokens: FuzzTokens): fc.Arbitrary<FuzzRequest> =>
  weighted<Target>([10, pick("ingress")], [4, pick("router")], [4, pick("dlq")], [1, pick("worker")]).chain((target) =>
    fc
      .record({
        target: fc.constant(target),
        method: weighted<string>([10, pick("POST")], [4, pick("GET")], [2, pick("DELETE")], [2, pick("PUT", "PATCH", "HEAD", "OPTIONS")], [1, pick("TRACE", "CONNECT", "get", "PROPFIND", "P OST", "")]),
        path: pathFor(target),
        contentType: weighted<string | undefined>([6, pick("application/json")], [2, pick(undefined)], [2, pick("application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/JSON", "*/*", "application/json, text/plain", "")]),
        contentEncoding: weighted<string | undefined>([8, pick(undefined)], [2, pick("gzip", "deflate", "br", "gzip, gzip", "identity", "x-fuzz")]),
        auth: weighted<string>([5, pick("admin", "adminLower", "adminSpaced", "read")], [6, pick("none", "prefix", "suffix", "upper", "basic", "empty", "scheme", "two", "huge", "other")]),
        extra: fc.array(fc.tuple(headerName, extraHeaderValue), { maxLength: 6 }),
        many: weighted<number>([20, pick(0)], [1, fc.integer({ min: 100, max: 3000 })]),
        omitHost: weighted<boolean>([30, pick(false)], [1, pick(true)]),
        body: body,
        framing: weighted<Framing>([30, pick("length")], [4, pick("chunked")], [2, pick("none")], [1, pick("short", "conflict")]),
        sign: fc.boolean(),
      })
      .map((r): FuzzRequest => {
        const [token, authorization] = TOKENS_BY_KIND(tokens)[r.auth]!;
        const headers: FuzzRequest["headers"] = [];
        if (!r.omitHost) headers.push(["host", "127.0.0.1"]);
        if (r.contentType !== undefined) headers.push(["content-type", r.contentType]);
        if (r.contentEncoding !== undefined) headers.push(["content-encoding", r.contentEncoding]);
        if (r.body.kind === "gzip-bomb" && r.contentEncoding === undefined) headers.push(["content-encoding", "gzip"]);
        if (authorization !== undefined) headers.push(["authorization", authorization]);
        headers.push(...r.extra);
        for (let i = 0; i < r.many; i++) headers.push([`x-many-${i}`, "v"]);
        const source = r.path.split("?")[0]!.slice("/webhooks/".length);
        const signAs = target === "ingress" && r.sign && r.method === "POST" ? SIGNED_PATHS[source] : undefined;
        const framingHeaders = new Set(["content-length", "transfer-encoding"]);
        const mayClose =
          r.method === "CONNECT" || r.body.kind === "large" ||
          r.framing === "none" || r.framing === "short" || r.framing === "conflict" || r.omitHost || r.many > 0 || /[^A-Z]/.test(r.method) || r.method === "" ||
          r.extra.some(([name, value]) => framingHeaders.has(name) || !/^[a-z0-9-]+$/.test(name) || (typeof value === "string" ? value.length > 4000 : true) || /[\u0000-\u001f\u007f-\uffff]/.test(String(value))) ||
          r.path.length > 8000 || r.auth === "huge";
        return { target, method: r.method, path: r.path, headers, body: r.body, framing: r.framing, token: authorization === undefined ? "none" : token, signAs, mayClose };
      }),
  );

const SIGNED_PATHS: Record<string, keyof typeof signed> = { github: "github", stripe: "stripe", "standard/clerk": "standard", meta: "meta", inngest: "inngest", "hmac/acme": "hmac" };

const wellFormed = (r: Pick<FuzzRequest, "target" | "method" | "path" | "body" | "token" | "signAs">, headers: FuzzRequest["headers"]): FuzzRequest => ({
  ...r,
  headers: [["host", "127.0.0.1"], ["content-type", "application/json"], ...headers],
  framing: "length",
  mayClose: r.body.kind === "large",
});

/** Well-formed and correctly signed, with fuzzed bodies: they pass verification and reach parsing and storage. */
const signedWebhook = fc
  .record({ path: pick(...Object.keys(SIGNED_PATHS)), doc: webhookBody, query, forwarded: fc.option(fc.ipV4()) })
  .map(({ path, doc, query: q, forwarded }) =>
    wellFormed({ target: "ingress", method: "POST", path: `/webhooks/${path}${q}`, body: { kind: "bytes", bytes: Buffer.from(JSON.stringify(doc)) }, token: "none", signAs: SIGNED_PATHS[path] }, forwarded ? [["x-forwarded-for", forwarded]] : []),
  );

/** Well-formed with a valid token, with fuzzed paths, queries and bodies: they pass the guard and reach validation and the database. */
const authorisedAdmin = (tokens: FuzzTokens) =>
  fc
    .record({ target: pick<Target>("router", "dlq"), method: pick("GET", "POST", "DELETE"), read: fc.boolean(), doc: jsonDocument })
    .chain(({ target, method, read, doc }) =>
      pathFor(target).map((path) =>
        wellFormed({ target, method, path, body: { kind: "bytes", bytes: method === "GET" ? Buffer.alloc(0) : Buffer.from(JSON.stringify(doc) ?? "null") }, token: read ? "read" : "admin" }, [["authorization", `Bearer ${read ? tokens.read : tokens.admin}`]]),
      ),
    );

const request = (tokens: FuzzTokens) => weighted<FuzzRequest>([6, anyRequest(tokens)], [2, signedWebhook], [2, authorisedAdmin(tokens)]);

/** `count` requests, the same ones for the same seed. */
export function fuzzRequests(tokens: FuzzTokens, seed: number, count: number): FuzzRequest[] {
  return fc.sample(request(tokens), { seed, numRuns: count });
}
