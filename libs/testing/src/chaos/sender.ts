import { createHmac } from "node:crypto";
import { sleep } from "./wait";

export interface SenderOptions {
  /** Ingress base URL(s), e.g. `http://127.0.0.1:3000`; several are used in turn (a load balancer). */
  ingressUrls: string[];
  /** GITHUB_WEBHOOK_SECRET the ingress was given. */
  secret: string;
  /** The repository every event names (`owner/name`): the workspaces subscribe to it. */
  resource: string;
  /** Delivery ids are `<prefix>-<n>`: unique per run so no duplicate window hides an event. */
  prefix: string;
  /** A request that does not answer within this is abandoned and retried (default 10 s, like GitHub). */
  requestTimeoutMs?: number;
  /** How long a provider keeps retrying one event before giving up (default 120 s). */
  retryForMs?: number;
  /** Upper bound on one wait between retries, `Retry-After` included (default 2 s: a test is short). */
  maxRetryDelayMs?: number;
}

/** One webhook as the provider saw it. `acceptedAt` is set by the first 202. */
export interface SentEvent {
  id: string;
  n: number;
  firstAt: number;
  acceptedAt?: number;
  attempts: number;
  /** 429 and 503 answers it had. */
  refusals: number;
  /** `given-up`: still refused (or unanswered) when the retry window closed. */
  state: "pending" | "accepted" | "given-up";
  lastOutcome?: string;
}

export interface SenderCounts {
  sent: number;
  accepted: number;
  givenUp: number;
  pending: number;
  /** Every answer and failure seen, by status code or error (`503`, `429`, `ECONNREFUSED`, `timeout`…). */
  outcomes: Record<string, number>;
}

/**
 * A webhook provider: signed GitHub `push` events, sent at a steady rate (or in a burst), each retried with the
 * same delivery id after a 5xx, a 429 (honouring `Retry-After`), a timeout or a dropped connection, until a 202
 * or the end of its retry window. It remembers every event, so a run can be accounted for afterwards.
 */
export class ProviderSender {
  readonly events = new Map<string, SentEvent>();
  readonly outcomes: Record<string, number> = {};
  private readonly inFlight = new Set<Promise<void>>();
  private next = 0;
  private running = false;
  private loop?: Promise<void>;

  constructor(private readonly opts: SenderOptions) {}

  /** Sends `ratePerSec` events a second until `stop()` (or until `total` were sent). */
  start(ratePerSec: number, total = Infinity): void {
    this.running = true;
    const started = Date.now();
    const first = this.next;
    this.loop = (async () => {
      while (this.running && this.next - first < total) {
        const due = Math.min(total, Math.floor(((Date.now() - started) * ratePerSec) / 1000) + 1);
        while (this.next - first < due) this.send();
        await sleep(10);
      }
    })();
  }

  /** `count` events spread evenly over `withinMs`; resolves when all were sent once (not when answered). */
  async burst(count: number, withinMs: number): Promise<void> {
    this.start((count * 1000) / withinMs, count);
    await this.loop;
    this.running = false;
  }

  /** Stops sending new events; waits until every event sent was accepted or given up. */
  async stop(): Promise<SenderCounts> {
    this.running = false;
    await this.loop;
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    return this.counts();
  }

  counts(): SenderCounts {
    const states = { pending: 0, accepted: 0, "given-up": 0 };
    for (const e of this.events.values()) states[e.state]++;
    return { sent: this.events.size, accepted: states.accepted, givenUp: states["given-up"], pending: states.pending, outcomes: { ...this.outcomes } };
  }

  accepted(): SentEvent[] {
    return [...this.events.values()].filter((e) => e.state === "accepted");
  }

  private send(): void {
    const n = this.next++;
    const event: SentEvent = { id: `${this.opts.prefix}-${n}`, n, firstAt: Date.now(), attempts: 0, refusals: 0, state: "pending" };
    this.events.set(event.id, event);
    const task = this.deliver(event).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  private async deliver(event: SentEvent): Promise<void> {
    const body = JSON.stringify({
      ref: "refs/heads/main",
      after: event.id,
      repository: { id: 1, full_name: this.opts.resource },
      pusher: { name: "chaos" },
    });
    const signature = `sha256=${createHmac("sha256", this.opts.secret).update(body).digest("hex")}`;
    const giveUpAt = event.firstAt + (this.opts.retryForMs ?? 120_000);
    for (;;) {
      const url = this.opts.ingressUrls[(event.n + event.attempts) % this.opts.ingressUrls.length]!;
      event.attempts++;
      let retryAfterMs: number | undefined;
      try {
        const res = await fetch(`${url}/webhooks/github`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": event.id, "x-hub-signature-256": signature },
          body,
          signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 10_000),
        });
        await res.arrayBuffer();
        this.count(String(res.status), event);
        if (res.status === 202) {
          event.state = "accepted";
          event.acceptedAt = Date.now();
          return;
        }
        if (res.status !== 429 && res.status < 500) {
          // A provider does not retry a 4xx other than 429: the event is refused for good.
          event.state = "given-up";
          return;
        }
        const ra = Number(res.headers.get("retry-after"));
        if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000;
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        this.count(err.name === "TimeoutError" ? "timeout" : (err.cause?.code ?? err.name), event);
      }
      const backoff = Math.min(this.opts.maxRetryDelayMs ?? 2000, retryAfterMs ?? 100 * 2 ** Math.min(event.attempts, 5));
      if (Date.now() + backoff > giveUpAt) {
        event.state = "given-up";
        return;
      }
      await sleep(backoff * (0.75 + Math.random() / 2));
    }
  }

  private count(outcome: string, event: SentEvent): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
    event.lastOutcome = outcome;
    if (outcome === "429" || outcome === "503") event.refusals++;
  }
}
