import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A response, or none: the server closed or reset the connection, or said nothing within the deadline. */
export type RawOutcome = { kind: "response"; response: RawResponse } | { kind: "no_response"; reason: string };

const HEAD_END = Buffer.from("\r\n\r\n");

/** Decodes a chunked body; undefined while its last chunk has not arrived. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf("\r\n", at);
    if (eol < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, eol).toString("latin1"), 16);
    if (Number.isNaN(size)) return Buffer.concat(parts);
    if (size === 0) return Buffer.concat(parts);
    if (data.length < eol + 2 + size + 2) return undefined;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** The first response in `data`, once it is complete (or `ended`: the server closed, so what came is all). */
function parse(data: Buffer, ended: boolean, head: boolean): RawResponse | undefined {
  const end = data.indexOf(HEAD_END);
  if (end < 0) return undefined;
  const [statusLine = "", ...lines] = data.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) return undefined;
  // 100 Continue (the client sent Expect): the answer follows it.
  if (status < 200) return parse(data.subarray(end + 4), ended, head);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(end + 4);
  let body: Buffer | undefined;
  if (head || status === 204 || status === 304) body = Buffer.alloc(0);
  else if (headers["content-length"] !== undefined) {
    const n = Number(headers["content-length"]);
    body = rest.length >= n ? rest.subarray(0, n) : undefined;
  } else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) body = dechunk(rest);
  else body = ended ? rest : undefined;
  if (!body && ended) body = rest;
  return body && { status, headers, body: body.toString("utf8") };
}

/**
 * Writes `bytes` as they are to 127.0.0.1:`port` (no client library in between, so malformed requests reach the
 * server as sent) and reads the first response.
 */
export function sendRaw(port: number, bytes: Buffer, opts: { timeoutMs: number; head?: boolean }): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const socket = connect(port, "127.0.0.1");
    const finish = (ended: boolean, reason: string) => {
      if (done) return;
      const response = parse(Buffer.concat(chunks), ended, opts.head ?? false);
      if (!response && !ended) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(response ? { kind: "response", response } : { kind: "no_response", reason });
    };
    const timer = setTimeout(() => finish(true, "no answer within the deadline"), opts.timeoutMs);
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      finish(false, "");
    });
    socket.on("end", () => finish(true, "closed without an answer"));
    socket.on("close", () => finish(true, "closed without an answer"));
    // A server that answers early (413) and closes may reset the rest of the upload: what it answered still counts.
    socket.on("error", (e) => finish(true, `connection error: ${e.message}`));
    socket.on("connect", () => socket.write(bytes, () => undefined));
  });
}
