import type { WebhookEvent } from "@hookstream/contracts";
import type { JetStreamPublisher } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import type { SubscriptionRule } from "@hookstream/subscriptions";
import { FanoutPublisher, LARGE_FANOUTS_AT_ONCE } from "./fanout.publisher";
import type { SubscriptionChanges } from "./subscription.changes";

const event = (id: string): WebhookEvent => ({ id, source: "github", type: "push", resource: "acme/api", receivedAt: "2026-11-27T00:00:00.000Z", headers: {}, payload: {} });
const rules = (n: number): SubscriptionRule[] =>
  Array.from({ length: n }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, workspaceId: `ws-${i}`, source: "github", resource: "acme/api", eventTypes: null, actions: null }));

/** Counts the fan-outs publishing at once; each takes a few event-loop turns, as PubAcks would. */
function publisherSpy() {
  const state = { now: 0, most: 0 };
  const publisher = {
    publishAll: async (_subject: string, messages: unknown[]) => {
      state.most = Math.max(state.most, ++state.now);
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      state.now--;
      return messages.map(() => ({ stream: "JOBS", seq: 1, duplicate: false }));
    },
  };
  return { state, publisher: publisher as unknown as JetStreamPublisher };
}

describe("FanoutPublisher", () => {
  it(`lets at most ${LARGE_FANOUTS_AT_ONCE} fan-outs larger than a publish window hold their jobs at once, and small ones run freely`, async () => {
    for (const [workspaces, expected] of [
      [300, LARGE_FANOUTS_AT_ONCE],
      [10, 20],
    ] as const) {
      const { state, publisher } = publisherSpy();
      const subscriptions = { candidates: async () => rules(workspaces) } as unknown as SubscriptionChanges;
      const fanout = new FanoutPublisher(subscriptions, publisher, new MetricsService("router"));
      const jobs = await Promise.all(Array.from({ length: 20 }, (_, i) => fanout.fanOut(event(`evt-${i}`), i + 1)));
      expect(jobs.map((j) => j.length)).toEqual(Array(20).fill(workspaces));
      expect(state.most).toBe(expected);
    }
  });
});
