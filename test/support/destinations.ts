import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { freePort } from "@hookstream/testing";

export interface ReceivedDelivery {
  path: string;
  id: string;
  validSignature: boolean;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A local destination like a customer's: verifies the Standard Webhooks signature of every request and answers
 * with the status the test chose for its path (default 200).
 */
export class TestDestination {
  readonly received: ReceivedDelivery[] = [];
  private readonly statusByPath = new Map<string, number | ((n: number) => number)>();
  private server?: Server;
  port = 0;

  constructor(private readonly secret: string) {}

  static secret(seed: string): string {
    return `whsec_${Buffer.from(seed.padEnd(32, "0").slice(0, 32)).toString("base64")}`;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** A fixed status, or a function of how many requests this path has had (1 for the first). */
  answer(path: string, status: number | ((n: number) => number)): void {
    this.statusByPath.set(path, status);
  }

  on(path: string): ReceivedDelivery[] {
    return this.received.filter((d) => d.path === path);
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        const path = req.url ?? "/";
        const delivery = { path, id: String(req.headers["webhook-id"]), validSignature: this.verify(req.headers, body), body, headers: req.headers };
        this.received.push(delivery);
        const rule = this.statusByPath.get(path) ?? 200;
        const status = typeof rule === "function" ? rule(this.on(path).length) : rule;
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private verify(h: Record<string, string | string[] | undefined>, body: string): boolean {
    const [id, ts, sigs] = [h["webhook-id"], h["webhook-timestamp"], h["webhook-signature"]].map((v) => (Array.isArray(v) ? v[0] : v));
    if (!id || !ts || !sigs) return false;
    const key = Buffer.from(this.secret.replace(/^whsec_/, ""), "base64");
    const want = Buffer.from(createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64"));
    return sigs.split(" ").some((s) => {
      const sig = Buffer.from(s.replace(/^v1,/, ""));
      return s.startsWith("v1,") && sig.length === want.length && timingSafeEqual(sig, want);
    });
  }
}
