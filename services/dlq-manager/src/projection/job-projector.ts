import { Controller } from "@nestjs/common";
import { Ctx, Payload } from "@nestjs/microservices";
import { CONSUMERS } from "@hookstream/contracts";
import { JetStreamConsumer, JetStreamContext } from "@hookstream/jetstream";
import { JobProjection } from "./job-projection";
import { advisoryRow, jobEventRow, queuedRow } from "./job-row";

/**
 * JOBS, JOB_EVENTS and ADVISORIES → background_jobs. Each message is acknowledged once its row is stored; a
 * message that is not a transition is acknowledged and skipped, since throwing would only redeliver it forever.
 */
@Controller()
export class JobProjector {
  constructor(private readonly projection: JobProjection) {}

  @JetStreamConsumer(CONSUMERS.projectorJobs)
  async queued(@Payload() data: unknown, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.projection.project(queuedRow(ctx.seq, ctx.message.time, data));
  }

  @JetStreamConsumer(CONSUMERS.projectorEvents)
  async jobEvent(@Payload() data: unknown): Promise<void> {
    const row = jobEventRow(data);
    if (row) await this.projection.project(row);
  }

  @JetStreamConsumer(CONSUMERS.projectorAdvisories)
  async advisory(@Payload() data: unknown): Promise<void> {
    const row = advisoryRow(data);
    if (row) await this.projection.project(row);
  }
}
