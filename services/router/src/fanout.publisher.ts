import { Injectable } from "@nestjs/common";
import { Semaphore } from "@hookstream/collections";
import { STREAMS, type WebhookEvent } from "@hookstream/contracts";
import { JetStreamPublisher, PUBLISH_WINDOW } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import type { SubscriptionRule } from "@hookstream/subscriptions";
import { planFanout, type PlannedJob, type PlanOptions } from "./fanout.planner";
import { SubscriptionChanges } from "./subscription.changes";

/** Fan-outs larger than one publish window planned and published at once: each holds all its jobs in memory. */
export const LARGE_FANOUTS_AT_ONCE = 8;

/**
 * Plans an event's jobs from the subscription index and publishes them, returning once every PubAck came. A fan-out
 * to more workspaces than one publish window waits for one of LARGE_FANOUTS_AT_ONCE turns, so many events routed at
 * once (ROUTER_CONCURRENCY) cannot all hold thousands of planned jobs.
 */
@Injectable()
export class FanoutPublisher {
  private readonly large = new Semaphore(LARGE_FANOUTS_AT_ONCE);

  constructor(
    private readonly subscriptions: SubscriptionChanges,
    private readonly publisher: JetStreamPublisher,
    private readonly metrics: MetricsService,
  ) {}

  async fanOut(event: WebhookEvent, eventSeq: number, options: PlanOptions = {}): Promise<PlannedJob[]> {
    const candidates = await this.subscriptions.candidates(event.source, event.resource);
    if (candidates.length <= PUBLISH_WINDOW) return this.publish(event, eventSeq, candidates, options);
    return this.large.run(() => this.publish(event, eventSeq, candidates, options));
  }

  private async publish(event: WebhookEvent, eventSeq: number, candidates: SubscriptionRule[], options: PlanOptions): Promise<PlannedJob[]> {
    const jobs = planFanout(event, eventSeq, candidates, options);
    if (jobs.length > 0) {
      await this.publisher.publishAll(jobs[0]!.subject, jobs);
      this.metrics.published.inc({ stream: STREAMS.jobs }, jobs.length);
    }
    return jobs;
  }
}
