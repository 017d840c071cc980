import { Controller, Logger } from "@nestjs/common";
import { Ctx, Payload } from "@nestjs/microservices";
import { CONSUMERS, STREAMS, WebhookEvent } from "@hookstream/contracts";
import { JetStreamConsumer, JetStreamContext } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import { SubscriptionAnnouncer, SubscriptionStore } from "@hookstream/subscriptions";
import { FanoutPublisher } from "./fanout.publisher";
import { resourceChanges } from "./repository.lifecycle";
import { RoutingLog } from "./routing.log";

/** WEBHOOKS → JOBS: one job per subscribed workspace; the event is acked only after every job's PubAck. */
@Controller()
export class RoutingHandler {
  private readonly log = new Logger(RoutingHandler.name);

  constructor(
    private readonly fanout: FanoutPublisher,
    private readonly routingLog: RoutingLog,
    private readonly store: SubscriptionStore,
    private readonly announcer: SubscriptionAnnouncer,
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
      // Workspaces subscribed to a renamed repository hear of the rename too, under either name.
      const jobs = await this.fanout.fanOut(event, ctx.seq, { eventBytes: ctx.message.data.length });
      await this.followResourceChanges(event);
      await this.routingLog.record(event, jobs.map((j) => j.data.workspaceId), performance.now() - started);
      this.log.debug(`event ${event.id} (${event.source}/${event.type} ${event.resource ?? "-"}) → ${jobs.length} jobs`);
    });
  }

  private async followResourceChanges(event: WebhookEvent): Promise<void> {
    const cause = `${event.source}/${event.type}.${(event.payload as { action?: string }).action ?? ""}`;
    for (const change of resourceChanges(event)) {
      if (change.kind === "renamed") {
        const affected = await this.store.renameResource(event.source, change.from, change.to);
        if (affected) await this.announcer.announce({ kind: "renamed", source: event.source, resource: change.to, from: change.from, cause, affected });
      } else {
        const affected = await this.store.removeResource(event.source, change.resource);
        if (affected) await this.announcer.announce({ kind: "removed", source: event.source, resource: change.resource, cause, affected });
      }
    }
  }
}
