import { Controller, Logger } from "@nestjs/common";
import { Ctx, Payload } from "@nestjs/microservices";
import { CONSUMERS, STREAMS, WebhookEvent } from "@hookstream/contracts";
import { JetStreamConsumer, JetStreamContext, JetStreamPublisher } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import { planFanout } from "./fanout.planner";
import { RoutingLog } from "./routing.log";
import { SubscriptionStore } from "./subscription.store";

/** WEBHOOKS → JOBS: one job per subscribed workspace; the event is acked only after every job's PubAck. */
@Controller()
export class RoutingHandler {
  private readonly log = new Logger(RoutingHandler.name);

  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly routingLog: RoutingLog,
    private readonly publisher: JetStreamPublisher,
    private readonly metrics: MetricsService,
  ) {}

  @JetStreamConsumer(CONSUMERS.router)
  async route(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.metrics.time("route", async () => {
      const started = performance.now();
      const event = WebhookEvent.parse(data);
      if (!(await this.routingLog.claim(event, ctx.seq))) {
        this.metrics.processed.inc({ stream: STREAMS.webhooks, outcome: "already_routed" });
        this.log.log(`event ${event.id} was routed before (stored again at #${ctx.seq}): not routed twice`);
        return;
      }
      const matches = await this.subscriptions.matching(event.source, event.resource);
      const jobs = planFanout(event, ctx.seq, matches);
      if (jobs.length > 0) {
        await this.publisher.publishAll(jobs[0]!.subject, jobs);
        this.metrics.published.inc({ stream: STREAMS.jobs }, jobs.length);
      }
      await this.routingLog.record(event, jobs.map((j) => j.data.workspaceId), performance.now() - started);
      this.log.debug(`event ${event.id} (${event.source}/${event.type} ${event.resource ?? "-"}) → ${jobs.length} jobs`);
    });
  }
}
