import { Controller, Logger } from "@nestjs/common";
import { Ctx, Payload } from "@nestjs/microservices";
import { CONSUMERS, ReplayRequest } from "@hookstream/contracts";
import { EventStore, JetStreamConsumer, JetStreamContext } from "@hookstream/jetstream";
import { MetricsService } from "@hookstream/platform";
import { FanoutPublisher } from "./fanout.publisher";

/**
 * REPLAYS → JOBS: routes a stored event again for today's subscriptions (optionally one workspace), as new jobs
 * linked to the originals. The replay id makes the Nats-Msg-Ids, so a redelivered request adds nothing.
 */
@Controller()
export class ReplayHandler {
  private readonly log = new Logger(ReplayHandler.name);

  constructor(
    private readonly events: EventStore,
    private readonly fanout: FanoutPublisher,
    private readonly metrics: MetricsService,
  ) {}

  @JetStreamConsumer(CONSUMERS.routerReplays)
  async replay(@Payload() data: unknown, @Ctx() _ctx: JetStreamContext): Promise<void> {
    await this.metrics.time("replay", async () => {
      const request = ReplayRequest.parse(data);
      const event = await this.events.get(request.eventSeq, request.eventId);
      const jobs = await this.fanout.fanOut(event, request.eventSeq, { replayId: request.replayId, workspaceId: request.workspaceId });
      this.log.log(`replay ${request.replayId} of ${event.id} by ${request.requestedBy}: ${jobs.length} jobs`);
    });
  }
}
