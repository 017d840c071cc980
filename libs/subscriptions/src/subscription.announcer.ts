import { Injectable } from "@nestjs/common";
import { randomUUID } from "node:crypto";
import { type SubscriptionChange, SUBJECTS } from "@hookstream/contracts";
import { JetStreamPublisher } from "@hookstream/jetstream";

type Listener = () => Promise<void>;

/**
 * Records a subscription change on SUBSCRIPTIONS: every router replica listens and reloads its index. A service
 * with its own view (the router) registers a listener, so its change applies here before the request returns.
 */
@Injectable()
export class SubscriptionAnnouncer {
  private readonly listeners: Listener[] = [];

  constructor(private readonly publisher: JetStreamPublisher) {}

  onAnnounced(listener: Listener): void {
    this.listeners.push(listener);
  }

  async announce(change: Omit<SubscriptionChange, "at">): Promise<void> {
    const data: SubscriptionChange = { ...change, at: new Date().toISOString() };
    await this.publisher.publish({ subject: SUBJECTS.subscriptionChange(change.kind), data, msgId: randomUUID() });
    for (const l of this.listeners) await l();
  }
}
