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
  /** The status this destination chose to answer (it may never have been read, if the sender gave up first). */
  status: number;
}

/** A status, or a status with response headers and a delay before answering (a slow destination). */
export type Answer = number | { status: number; headers?: Record<string, string>; delayMs?: number };

/**
 * A local destination like a customer's: verifies the Standard Webhooks signature of every request and answers
 * with the status the test chose for its path (default 200). Deliveries are indexed by path and by `webhook-id`,
 * so a chaos run with tens of thousands of them stays linear.
 */
export class TestDestination {
  readonly received: ReceivedDelivery[] = [];
  private readonly byPath = new Map<string, ReceivedDelivery[]>();
  private readonly byId = new Map<string, ReceivedDelivery[]>();
  private readonly statusByPath = new Map<string, Answer | ((n: number) => Answer)>();
  private readonly delayed = new Set<NodeJS.Timeout>();
  private server?: TestHttpServer;
  /** Bodies are kept only when asked: a chaos run needs ids and times, not megabytes of payloads. */
  keepBodies = true;
  port = 0;

  constructor(private readonly secret: string) {}

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
    return this.byPath.get(path) ?? [];
  }

  /** Every request that carried this `webhook-id` (a job id), in arrival order. */
  withId(id: string): ReceivedDelivery[] {
    return this.byId.get(id) ?? [];
  }

  /** The `webhook-id`s seen, with how many requests each had. */
  ids(): IterableIterator<[string, ReceivedDelivery[]]> {
    return this.byId.entries();
  }

  async start(): Promise<void> {
    this.server = await listenWithBodies((req, body, res) => {
      const path = req.url ?? "/";
      const onPath = this.byPath.get(path) ?? [];
      this.byPath.set(path, onPath);
      const rule = this.statusByPath.get(path) ?? 200;
      const answer = typeof rule === "function" ? rule(onPath.length + 1) : rule;
      const { status, headers, delayMs }: Exclude<Answer, number> = typeof answer === "number" ? { status: answer } : answer;
      const id = String(req.headers["webhook-id"]);
      const delivery: ReceivedDelivery = {
        path,
        at: Date.now(),
        id,
        validSignature: this.verify(req.headers, body),
        body: this.keepBodies ? body : "",
        headers: this.keepBodies ? req.headers : {},
        status,
      };
      this.received.push(delivery);
      onPath.push(delivery);
      const sameId = this.byId.get(id) ?? [];
      sameId.push(delivery);
      this.byId.set(id, sameId);
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
