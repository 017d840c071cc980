import { createHmac, timingSafeEqual } from "node:crypto";
import { listenWithBodies, type TestHttpServer } from "./http-server";

export interface ReceivedDelivery {
  path: string;
  /** When the request arrived (Date.now()). */
  at: number;
  id: string;
  validSignature: boolean;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A status, or a status with response headers and a delay before answering (a slow destination). */
export type Answer = number | { status: number; headers?: Record<string, string>; delayMs?: number };

/**
 * A local destination like a customer's: verifies the Standard Webhooks signature of every request and answers
 * with the status the test chose for its path (default 200).
 */
export class TestDestination {
  readonly received: ReceivedDelivery[] = [];
  private readonly statusByPath = new Map<string, Answer | ((n: number) => Answer)>();
  private readonly delayed = new Set<NodeJS.Timeout>();
  private server?: TestHttpServer;
  port = 0;

  constructor(private secret: string) {}

  /** Verifies what arrives from now on with another secret (a rotated or generated one). */
  useSecret(secret: string): void {
    this.secret = secret;
  }

  static secret(seed: string): string {
    return `whsec_${Buffer.from(seed.padEnd(32, "0").slice(0, 32)).toString("base64")}`;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** A fixed answer, or a function of how many requests this path has had (1 for the first). */
  answer(path: string, status: Answer | ((n: number) => Answer)): void {
    this.statusByPath.set(path, status);
  }

  on(path: string): ReceivedDelivery[] {
    return this.received.filter((d) => d.path === path);
  }

  async start(): Promise<void> {
    this.server = await listenWithBodies((req, body, res) => {
        const path = req.url ?? "/";
        const delivery = { path, at: Date.now(), id: String(req.headers["webhook-id"]), validSignature: this.verify(req.headers, body), body, headers: req.headers };
        this.received.push(delivery);
        const rule = this.statusByPath.get(path) ?? 200;
        const answer = typeof rule === "function" ? rule(this.on(path).length) : rule;
        const { status, headers, delayMs }: Exclude<Answer, number> = typeof answer === "number" ? { status: answer } : answer;
        if (!delayMs) return void res.writeHead(status, headers).end();
        const timer = setTimeout(() => {
          this.delayed.delete(timer);
          if (!res.destroyed) res.writeHead(status, headers).end();
        }, delayMs);
        this.delayed.add(timer);
    });
    this.port = this.server.port;
  }

  async stop(): Promise<void> {
    for (const timer of this.delayed) clearTimeout(timer);
    await this.server?.close();
  }

  private verify(h: Record<string, string | string[] | undefined>, body: string): boolean {
    return verifyStandardSignature(this.secret, h, body);
  }
}

/** Whether a request carries a valid Standard Webhooks signature of `body` made with `secret`. */
export function verifyStandardSignature(secret: string, h: Record<string, string | string[] | undefined>, body: string): boolean {
  const [id, ts, sigs] = [h["webhook-id"], h["webhook-timestamp"], h["webhook-signature"]].map((v) => (Array.isArray(v) ? v[0] : v));
  if (!id || !ts || !sigs) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const want = Buffer.from(createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64"));
  return sigs.split(" ").some((s) => {
    const sig = Buffer.from(s.replace(/^v1,/, ""));
    return s.startsWith("v1,") && sig.length === want.length && timingSafeEqual(sig, want);
  });
}
