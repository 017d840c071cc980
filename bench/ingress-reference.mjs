// The receiver `npm run bench:ingress` compares Hookstream's ingress with: the least a GitHub webhook receiver can
// do and still be correct. Plain node:http, the X-Hub-Signature-256 check, a JetStream publish of the raw body with
// Nats-Msg-Id = X-GitHub-Delivery awaiting its PubAck, then 202 (401 on a bad signature, 503 if JetStream fails).
//   node bench/ingress-reference.mjs <port> <nats url> <github secret>
import http from "node:http";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { verifyGithub } from "./lib/signing.mjs";

const [port, natsUrl, secret] = process.argv.slice(2);
const nc = await connect({ servers: natsUrl, name: "ingress-reference" });
const js = jetstream(nc);

const answer = (res, status, body) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

http
  .createServer((req, res) => {
    if (req.method !== "POST") return answer(res, 200, { status: "ok" });
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      if (!verifyGithub(secret, body, req.headers["x-hub-signature-256"])) return answer(res, 401, { code: "invalid_signature" });
      const id = req.headers["x-github-delivery"];
      try {
        const ack = await js.publish(`webhooks.github.${req.headers["x-github-event"]}`, body, { msgID: id, timeout: 5000 });
        answer(res, 202, { status: "accepted", id, duplicate: ack.duplicate });
      } catch {
        answer(res, 503, { code: "store_unavailable" });
      }
    });
  })
  .listen(Number(port), "127.0.0.1");
