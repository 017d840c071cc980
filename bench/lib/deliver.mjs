// The references' delivery client: a Standard Webhooks signed POST over keep-alive connections (node:http
// Agent), with Hookstream's outcome rules: 2xx done, 408/429/5xx/timeouts retried, other 4xx not retryable.
import http from "node:http";
import { secretKey, signStandard } from "./signing.mjs";

export class DeliveryError extends Error {
  constructor(message, { status, retryable }) {
    super(message);
    this.status = status;
    this.retryable = retryable;
  }
}

export function createDeliverer({ maxSockets, timeoutMs = 10_000 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const keys = new Map();
  const keyOf = (secret) => {
    let k = keys.get(secret);
    if (!k) keys.set(secret, (k = secretKey(secret)));
    return k;
  };

  /** Resolves with the status on 2xx; rejects with a DeliveryError otherwise. */
  return function deliver({ url, secret, id, body, headers = {} }) {
    return new Promise((resolve, reject) => {
      const req = http.request(url, {
        method: "POST",
        agent,
        timeout: timeoutMs,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "bench-reference/1",
          ...headers,
          ...signStandard(keyOf(secret), id, body),
        },
      });
      req.on("response", (res) => {
        res.resume(); // drain, so the socket goes back to the pool
        res.on("end", () => {
          const status = res.statusCode;
          if (status >= 200 && status < 300) return resolve(status);
          const retryable = status === 408 || status === 429 || status >= 500;
          reject(new DeliveryError(`destination answered ${status}`, { status, retryable }));
        });
      });
      req.on("timeout", () => req.destroy(new DeliveryError(`no answer within ${timeoutMs} ms`, { retryable: true })));
      req.on("error", (e) => reject(e instanceof DeliveryError ? e : new DeliveryError(e.message, { retryable: true })));
      req.end(body);
    });
  };
}

/** Reads a request body up to `limit` bytes (null beyond). */
export function readBody(req, limit = 5 * 1024 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on("end", () => resolve(size <= limit ? Buffer.concat(chunks) : null));
    req.on("error", reject);
  });
}

export function reply(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers }).end(text);
}

/** The part of a GitHub webhook every reference needs: verified, parsed, described. */
export function describeGithub(headers, raw) {
  let payload;
  try {
    payload = JSON.parse(raw.toString("utf8"));
  } catch {
    return null;
  }
  const id = headers["x-github-delivery"];
  const type = headers["x-github-event"];
  if (!id || !type) return null;
  return { id, type, resource: payload?.repository?.full_name ?? payload?.organization?.login ?? null };
}

/** Retry delays after attempt 1, 2, … (Hookstream's default JOB_BACKOFF); attempts in all: 6. */
export const BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 3_600_000];
export const MAX_ATTEMPTS = 6;
