import { Injectable } from "@nestjs/common";
import { STREAMS, type WebhookEvent } from "@hookstream/contracts";
import { JetStreamPublisher } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import { planFanout, type PlannedJob, type PlanOptions } from "./fanout.planner";
import { SubscriptionChanges } from "./subscription.changes";

/** Plans an event's jobs from the subscription index and publishes them, returning once every PubAck came. */
@Injectable()
export class FanoutPublisher {
  constructor(
    private readonly subscriptions: SubscriptionChanges,
    private readonly publisher: JetStreamPublisher,
    private readonly metrics: MetricsService,
  ) {}

  async fanOut(event: WebhookEvent, eventSeq: number, options: PlanOptions = {}): Promise<PlannedJob[]> {
    const candidates = await this.subscriptions.candidates(event.source, event.resource);
    const jobs = planFanout(event, eventSeq, candidates, options);
    if (jobs.length > 0) {
      await this.publisher.publishAll(jobs[0]!.subject, jobs);
      this.metrics.published.inc({ stream: STREAMS.jobs }, jobs.length);
    }
    return jobs;
  }
}
