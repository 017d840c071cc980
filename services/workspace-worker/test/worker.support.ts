import { createHmac } from "node:crypto";
import { type JobEvent, STREAMS } from "@hookstream/contracts";
import type { TestStack } from "../../../test/support/stack";

export const STRIPE_SECRET = "whsec_worker-test-stripe-secret";

/** A GitHub `push` to a repository. */
export const push = (repo: string, n = 1) => ({ ref: "refs/heads/main", after: `c${n}`, commits: [{ id: `c${n}` }], repository: { id: 1, full_name: repo } });

/** A GitHub `pull_request` event for pull request `id` as of `updatedAt`. */
export const pullRequest = (repo: string, id: number, updatedAt: string) => ({
  action: "edited",
  number: id,
  pull_request: { id, number: id, updated_at: updatedAt },
  repository: { id: 1, full_name: repo },
});

export async function sendGithub(stack: TestStack, event: string, delivery: string, body: unknown): Promise<void> {
  const res = await stack.sendGithub({ event, delivery, body });
  if (res.status !== 202) throw new Error(`webhook ${delivery} answered ${res.status}: ${await res.text()}`);
}

/** A signed Stripe webhook for a connected account (its resource), as Stripe sends it. */
export async function sendStripe(stack: TestStack, event: { id: string; type: string; account: string; created: number; data: unknown }): Promise<void> {
  const body = JSON.stringify(event);
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", STRIPE_SECRET).update(`${t}.${body}`).digest("hex");
  const res = await fetch(stack.url("ingress", "/webhooks/stripe"), {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": `t=${t},v1=${v1}` },
    body,
  });
  if (res.status !== 202) throw new Error(`Stripe webhook ${event.id} answered ${res.status}: ${await res.text()}`);
}

/** Every JOB_EVENTS record of one job, in the order stored. */
export async function jobEvents(stack: TestStack, jobId: string): Promise<JobEvent[]> {
  const { state } = await stack.jsm.streams.info(STREAMS.jobEvents);
  const found: JobEvent[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const event = (await stack.jsm.streams.getMessage(STREAMS.jobEvents, { seq }))?.json<JobEvent>();
    if (event?.jobId === jobId) found.push(event);
  }
  return found;
}

/** One metric's value from the worker's /metrics (0 when absent), e.g. `hookstream_circuit_breakers{state="open"}`. */
export async function workerMetric(stack: TestStack, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(stack.url("worker", "/metrics"))).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}
