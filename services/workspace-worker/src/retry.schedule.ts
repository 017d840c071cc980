import { Inject, Injectable } from "@nestjs/common";
import type { JetStreamManager } from "@nats-io/jetstream";
import { CONSUMERS, HookstreamError, STREAMS } from "@hookstream/contracts";
import { type DeliveryState, JETSTREAM_MANAGER } from "@hookstream/jetstream";

/** Re-read now and then: provisioning may change the schedule while workers run. */
const REFRESH_MS = 60_000;

type Schedule = Omit<DeliveryState, "deliveryCount">;

/** The JOBS consumer's max_deliver and backoff, read from the server as the transport reads them. */
@Injectable()
export class RetrySchedule {
  private latest?: Schedule;
  private readAt = 0;
  private reading?: Promise<Schedule>;

  constructor(@Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager) {}

  /** A delivery's place in the schedule. */
  async of(deliveryCount: number): Promise<DeliveryState> {
    return { ...(await this.schedule()), deliveryCount };
  }

  private async schedule(): Promise<Schedule> {
    if (this.latest && Date.now() - this.readAt < REFRESH_MS) return this.latest;
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    try {
      return await this.reading;
    } catch (e) {
      // A failed refresh keeps the schedule already known; without one, the job is retried.
      if (this.latest) return this.latest;
      throw new HookstreamError("external_api", `reading consumer ${CONSUMERS.workspaceWorker}: ${(e as Error).message}`, { cause: e });
    }
  }

  private async read(): Promise<Schedule> {
    const { config } = await this.jsm.consumers.info(STREAMS.jobs, CONSUMERS.workspaceWorker);
    this.latest = { maxDeliver: config.max_deliver ?? -1, backoffMs: (config.backoff ?? []).map((ns) => ns / 1e6) };
    this.readAt = Date.now();
    return this.latest;
  }
}
