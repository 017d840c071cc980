import { DiscoveryService } from "@nestjs/core";
import type { Job, WebhookEvent, WebhookSource } from "@hookstream/contracts";
import type { DeliveryState } from "@hookstream/jetstream";
import type { Destination } from "@hookstream/subscriptions";

export interface JobHandlerTarget {
  source: WebhookSource | "*";
  /** Provider event types (`pull_request`, `invoice.paid`), or every type of the source. */
  eventTypes: readonly string[] | "*";
}

export interface JobHandlerSpec {
  /** Shown in logs. */
  name: string;
  /** Handlers of a job run one after the other, lowest first: what may fail and be retried (delivery) runs last. */
  order: number;
  handles: readonly JobHandlerTarget[];
}

export interface JobInput {
  job: Job;
  event: WebhookEvent;
  /** The subscription's current destination (its url is null when the workspace only records). */
  destination: Destination;
  delivery: DeliveryState;
}

/**
 * Work done for a job. A failure is thrown (categorized, see HookstreamError) and retries the whole job, so every
 * handler must be idempotent: a job runs again after any later handler failed.
 */
export interface JobHandlerProvider {
  /** A destination's HTTP status, when the handler called one. */
  handle(input: JobInput): Promise<{ status?: number } | void>;
}

/**
 * Registers a provider as a job handler, e.g.
 * `@HandlesJobs({ name: "crm-sync", order: 50, handles: [{ source: "stripe", eventTypes: ["customer.updated"] }] })`
 * on an `@Injectable()` class implementing JobHandlerProvider, listed in JOB_HANDLERS (handlers/index.ts).
 */
export const HandlesJobs = DiscoveryService.createDecorator<JobHandlerSpec>();

export function handles(spec: JobHandlerSpec, source: string, eventType: string): boolean {
  return spec.handles.some((t) => (t.source === "*" || t.source === source) && (t.eventTypes === "*" || t.eventTypes.includes(eventType)));
}
