// The local destinations every system delivers to: `POST /hook/<workspaceId>`. Each delivery's Standard Webhooks
// signature is verified with that workspace's secret, and deliveries are counted by webhook-id, per run tag
// (the part of the id before the first "."), so a duplicate or a bad signature is reported, never hidden.
//   node bench/destinations.mjs <port>        GET /stats?tag=<tag> → counts for that tag, GET /stats → all
// (both with `connections`, the TCP connections accepted so far).
import { createServer } from "node:http";
import { secretKey, verifyStandard, workspaceSecret } from "./lib/signing.mjs";

const port = Number(process.argv[2] ?? 0);
const keys = new Map();
const keyOf = (ws) => {
  let k = keys.get(ws);
  if (!k) keys.set(ws, (k = secretKey(workspaceSecret(ws))));
  return k;
};

/** tag → { unique, total, duplicates, badSignatures, firstAt, lastNewAt, seen: Map<id, count> } */
const tags = new Map();
let unknown = 0;
/** TCP connections accepted so far: a keep-alive client opens few. */
let connections = 0;

function tagOf(id) {
  let t = tags.get(id.slice(0, id.indexOf(".")));
  if (!t) tags.set(id.slice(0, id.indexOf(".")), (t = { unique: 0, total: 0, duplicates: 0, badSignatures: 0, firstAt: 0, lastNewAt: 0, seen: new Map() }));
  return t;
}

function record(workspaceId, headers, body) {
  const id = headers["webhook-id"];
  if (typeof id !== "string" || !id.includes(".")) return void unknown++;
  const t = tagOf(id);
  const now = Date.now();
  t.total++;
  if (!verifyStandard(keyOf(workspaceId), headers, body) || !id.endsWith(`:${workspaceId}`)) t.badSignatures++;
  const n = (t.seen.get(id) ?? 0) + 1;
  t.seen.set(id, n);
  if (n > 1) return void t.duplicates++;
  t.unique++;
  t.firstAt ||= now;
  t.lastNewAt = now;
}

const view = ({ seen, ...counts }) => counts;

const server = createServer((req, res) => {
  if (req.method === "POST" && req.url.startsWith("/hook/")) {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      record(decodeURIComponent(req.url.slice(6)), req.headers, Buffer.concat(chunks).toString());
      res.writeHead(200, { "content-length": "0" }).end();
    });
    return;
  }
  if (req.method === "GET" && req.url.startsWith("/stats")) {
    const tag = new URL(req.url, "http://x").searchParams.get("tag");
    const empty = { unique: 0, total: 0, duplicates: 0, badSignatures: 0, firstAt: 0, lastNewAt: 0, seen: null };
    const body = tag ? { ...view(tags.get(tag) ?? empty), connections } : { unknown, connections, tags: Object.fromEntries([...tags].map(([k, v]) => [k, view(v)])) };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    return;
  }
  res.writeHead(404).end();
});
server.on("connection", () => connections++);
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(port, "127.0.0.1", () => console.log(`destinations listening on ${server.address().port}`));
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
