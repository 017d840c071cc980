import { gzipSync } from "node:zlib";
import { signed } from "../../../services/ingress/test/signers";
import { revealsInternals } from "./internals";
import { sendRaw } from "./raw-http";
import { type BodySpec, type FuzzRequest, fuzzRequests, type FuzzTokens, type Target, WORKSPACE_MARK } from "./requests";

export interface FuzzOptions {
  ports: Record<Target, number>;
  tokens: FuzzTokens;
  /** Values configured on the services that no answer may contain. */
  secrets: string[];
  seed: number;
  count: number;
  concurrency: number;
  /** How long a well-formed request may wait for its answer. */
  timeoutMs: number;
}

export interface FuzzFailure {
  /** `seed/index`: `fuzzRequests(tokens, seed, index + 1)[index]` is the request again. */
  at: string;
  why: string;
  request: string;
  status?: number;
  body?: string;
}

export interface FuzzReport {
  sent: number;
  /** Answers by status, `none` for a connection closed without one (allowed for malformed requests only). */
  byStatus: Record<string, number>;
  /** Workspace ids sent in bodies without a valid token: none may exist afterwards. */
  intruderWorkspaces: number;
  failures: FuzzFailure[];
  durationMs: number;
}

const PUBLIC_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);
const BATCH = 250;
let bomb: Buffer | undefined;

function bodyBytes(spec: BodySpec): Buffer {
  if (spec.kind === "bytes") return spec.bytes;
  if (spec.kind === "large") return Buffer.alloc(spec.size, "a");
  // 16 MiB of zeros in 16 KiB: a claim of gzip that a decompressing server would regret.
  bomb ??= gzipSync(Buffer.alloc(16 << 20));
  return bomb;
}

function signatureHeaders(r: FuzzRequest, body: string, id: string): Record<string, string> {
  switch (r.signAs) {
    case "github":
      return signed.github(body, { delivery: id, event: "push" });
    case "stripe":
      return signed.stripe(body);
    case "standard":
      return signed.standard(body, { id });
    case "meta":
      return signed.meta(body);
    case "inngest":
      return signed.inngest(body);
    case "hmac":
      return signed.hmac(body, { delivery: id, event: "push" });
    default:
      return {};
  }
}

/** The request as bytes on the wire, with its body's workspace ids marked by whether a valid token goes with them. */
export function encode(r: FuzzRequest, id: string): Buffer {
  const valid = r.token === "admin" || r.token === "read";
  let body = bodyBytes(r.body);
  if (body.length < 1 << 20 && body.includes(WORKSPACE_MARK)) body = Buffer.from(body.toString("latin1").replaceAll(WORKSPACE_MARK, `${valid ? "fuzz" : "intruder"}-${id}`), "latin1");
  const signature = signatureHeaders(r, body.toString("utf8"), id);
  const headers = r.headers.filter(([name]) => !(name.toLowerCase() in signature));
  headers.push(...Object.entries(signature), ["connection", "close"]);
  if (r.framing === "length") headers.push(["content-length", String(body.length)]);
  else if (r.framing === "short") headers.push(["content-length", String(body.length + 10)]);
  else if (r.framing === "chunked" || r.framing === "conflict") headers.push(["transfer-encoding", "chunked"]);
  if (r.framing === "conflict") headers.push(["content-length", String(body.length)]);
  const head = Buffer.concat([
    Buffer.from(`${r.method} ${r.path} HTTP/1.1\r\n`, "utf8"),
    ...headers.map(([name, value]) => Buffer.concat([Buffer.from(`${name}: `, "utf8"), typeof value === "string" ? Buffer.from(value, "utf8") : value, Buffer.from("\r\n")])),
    Buffer.from("\r\n"),
  ]);
  if (r.framing !== "chunked" && r.framing !== "conflict") return Buffer.concat([head, body]);
  const chunks: Buffer[] = [head];
  for (let at = 0; at < body.length; at += 65_536) {
    const chunk = body.subarray(at, at + 65_536);
    chunks.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from("0\r\n\r\n"));
  return Buffer.concat(chunks);
}

export function describeRequest(r: FuzzRequest): string {
  const b = r.body.kind === "bytes" ? JSON.stringify(r.body.bytes.subarray(0, 160).toString("latin1")) : r.body.kind;
  const names = r.headers.map(([n]) => n).slice(0, 12).join(",");
  return `${r.method} ${r.target}${r.path.slice(0, 160)} token=${r.token} framing=${r.framing} sign=${r.signAs ?? "-"} headers=[${names}] body=${b}`;
}

/** What is wrong with the answer to `r` (undefined when nothing is). */
function judge(r: FuzzRequest, status: number | undefined, body: string, secrets: string[]): string | undefined {
  if (status === undefined) return r.mayClose ? undefined : "no answer to a well-formed request";
  if (status >= 500) return `answered ${status}`;
  const path = r.path.split("?")[0]!;
  const validToken = r.token === "admin" || r.token === "read";
  if ((r.target === "router" || r.target === "dlq") && !validToken && !PUBLIC_PATHS.has(path) && status < 400) return `admin API answered ${status} without a valid token`;
  if (status >= 400) {
    const leak = revealsInternals(body, secrets);
    if (leak) return `the error body reveals ${leak}`;
  }
  return undefined;
}

/** Sends `count` generated requests, `concurrency` at a time, and judges every answer. */
export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const report: FuzzReport = { sent: 0, byStatus: {}, intruderWorkspaces: 0, failures: [], durationMs: 0 };
  for (let batchStart = 0; batchStart < o.count; batchStart += BATCH) {
    const seed = o.seed + batchStart;
    const batch = fuzzRequests(o.tokens, seed, Math.min(BATCH, o.count - batchStart));
    let next = 0;
    const lane = async () => {
      while (next < batch.length) {
        const index = next++;
        const r = batch[index]!;
        const id = `${seed}-${index}`;
        const bytes = encode(r, id);
        if (bytes.includes("intruder-")) report.intruderWorkspaces++;
        const outcome = await sendRaw(o.ports[r.target], bytes, { timeoutMs: r.mayClose ? Math.min(1000, o.timeoutMs) : o.timeoutMs, head: r.method === "HEAD" });
        report.sent++;
        const status = outcome.kind === "response" ? outcome.response.status : undefined;
        const body = outcome.kind === "response" ? outcome.response.body : "";
        report.byStatus[status ?? "none"] = (report.byStatus[status ?? "none"] ?? 0) + 1;
        const why = judge(r, status, body, o.secrets);
        if (why) report.failures.push({ at: `${seed}/${index}`, why, request: describeRequest(r), status, body: body.slice(0, 400) || (outcome.kind === "no_response" ? outcome.reason : "") });
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, lane));
  }
  report.durationMs = Date.now() - started;
  return report;
}
