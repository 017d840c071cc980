// The references' ingress server: plain node:http on localhost, /healthz, and POST /webhooks/github checked the way
// every reference checks it (size, signature, shape) before the reference's own `ingest` stores or queues it.
import { createServer } from "node:http";
import { describeGithub, readBody, reply } from "./deliver.mjs";
import { verifyGithub } from "./signing.mjs";

/**
 * Answers 202 with `{ status, id }` and what `ingest(event, body)` resolves with, or 503 when it throws.
 * Returns the listening server, for the reference to close on SIGTERM.
 */
export function serveGithubWebhooks({ port, secret, ingest }) {
  const server = createServer(async (req, res) => {
    if (req.method === "GET" && req.url === "/healthz") return reply(res, 200, { status: "ok" });
    if (req.method !== "POST" || req.url !== "/webhooks/github") return reply(res, 404, { code: "not_found" });
    const raw = await readBody(req);
    if (!raw) return reply(res, 413, { code: "too_large" });
    if (!verifyGithub(secret, raw, req.headers["x-hub-signature-256"])) return reply(res, 401, { code: "invalid_signature" });
    const event = describeGithub(req.headers, raw);
    if (!event) return reply(res, 400, { code: "malformed" });
    try {
      reply(res, 202, { status: "accepted", id: event.id, ...(await ingest(event, raw.toString("utf8"))) });
    } catch (e) {
      console.error(`event ${event.id} not accepted: ${e.message}`);
      reply(res, 503, { code: "store_unavailable" }, { "retry-after": "5" });
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, "127.0.0.1");
  return server;
}
