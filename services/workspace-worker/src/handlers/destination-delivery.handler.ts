import { Injectable } from "@nestjs/common";
import { validationError, type WebhookEvent } from "@hookstream/contracts";
import { CircuitBreakers } from "../circuit-breaker";
import { circuitDelay, DeferredError, isLastDelivery } from "../deferral";
import { DeliveryError, DestinationClient } from "../destination.client";
import { HandlesJobs, type JobHandlerProvider, type JobInput } from "./job-handler";

/** What says the host itself is failing; any answer (a 4xx, a 429) shows it is up. */
const hostFailed = (e: unknown) => e instanceof DeliveryError && (e.category === "timeout" || e.category === "external_api");

/** Each event's body, serialized once for all its jobs (held as long as the event is: see EventStore's cache). */
const bodies = new WeakMap<WebhookEvent, string>();
function bodyOf(event: WebhookEvent): string {
  let body = bodies.get(event);
  if (body === undefined) bodies.set(event, (body = JSON.stringify(event.payload)));
  return body;
}

/**
 * POSTs the event to the workspace's destination, signed the Standard Webhooks way, behind a circuit breaker per
 * host: while it is open, jobs for the host are deferred without calling it. A job's last delivery calls anyway,
 * so a job is never dead-lettered without its destination having answered for itself.
 */
@HandlesJobs({ name: "destination-delivery", order: 100, handles: [{ source: "*", eventTypes: "*" }] })
@Injectable()
export class DestinationDeliveryHandler implements JobHandlerProvider {
  constructor(
    private readonly client: DestinationClient,
    private readonly breakers: CircuitBreakers,
  ) {}

  async handle({ job, event, destination, delivery }: JobInput): Promise<{ status: number } | void> {
    if (!destination.url) return;
    if (!URL.canParse(destination.url)) throw validationError(`destination ${destination.url} is not a URL`);
    const host = new URL(destination.url).host;
    const permit = this.breakers.permit(host, isLastDelivery(delivery));
    if (!permit.allowed) {
      throw new DeferredError("circuit_open", `circuit breaker for ${host} is ${permit.state}: not called`, circuitDelay(permit.retryInMs, delivery));
    }
    try {
      const { status } = await this.client.deliver({
        url: destination.url,
        secret: destination.secret,
        id: job.jobId,
        body: bodyOf(event),
        headers: {
          "x-hookstream-source": event.source,
          "x-hookstream-event-type": event.type,
          "x-hookstream-workspace-id": job.workspaceId,
        },
      });
      this.breakers.succeeded(host);
      return { status };
    } catch (e) {
      if (hostFailed(e)) this.breakers.failed(host, permit.probe);
      else this.breakers.succeeded(host);
      throw e;
    }
  }
}
