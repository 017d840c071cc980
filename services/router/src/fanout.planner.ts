import { HEADERS, INLINE_EVENT_MAX_BYTES, type Job, jobIdOf, SUBJECTS, type WebhookEvent } from "@hookstream/contracts";
import type { OutgoingMessage } from "@hookstream/jetstream";
import type { SubscriptionRule } from "@hookstream/subscriptions";

/** How closely a subscription names a resource: an exact name beats `owner/*`, which beats `*`. */
export function specificity(resource: string): number {
  if (resource === "*") return 0;
  return resource.endsWith("/*") ? 1 : 2;
}

/** The event's action (`opened`, `closed`…), for providers whose payloads carry one. */
export function eventAction(event: WebhookEvent): string | null {
  const action = (event.payload as { action?: unknown } | null)?.action;
  return typeof action === "string" ? action : null;
}

export function accepts(rule: SubscriptionRule, event: WebhookEvent, action: string | null): boolean {
  if (rule.eventTypes && !rule.eventTypes.includes(event.type)) return false;
  if (rule.actions && (action === null || !rule.actions.includes(action))) return false;
  return true;
}

export interface PlanOptions {
  /** Routing again on request: new job ids linked to the originals. */
  replayId?: string;
  /** Limit the plan to one workspace. */
  workspaceId?: string;
  /** The event's size as stored on WEBHOOKS: a single job carries an event up to INLINE_EVENT_MAX_BYTES. */
  eventBytes?: number;
}

export type PlannedJob = OutgoingMessage & { data: Job };

/**
 * One job per workspace, whatever number of its subscriptions match (the most specific wins). The job id
 * (`<eventId>:<workspaceId>`) is also its Nats-Msg-Id, so routing the same event twice adds nothing; a replay's
 * jobs are `<jobId>:replay:<replayId>`, with `replayOf` naming the original.
 */
export function planFanout(event: WebhookEvent, eventSeq: number, candidates: SubscriptionRule[], options: PlanOptions = {}): PlannedJob[] {
  const action = eventAction(event);
  const byWorkspace = new Map<string, SubscriptionRule>();
  for (const rule of candidates) {
    if (rule.source !== event.source || !accepts(rule, event, action)) continue;
    if (options.workspaceId && rule.workspaceId !== options.workspaceId) continue;
    const current = byWorkspace.get(rule.workspaceId);
    if (!current || specificity(rule.resource) > specificity(current.resource)) byWorkspace.set(rule.workspaceId, rule);
  }
  const subject = SUBJECTS.job(event.source, event.type);
  const fanout = byWorkspace.size;
  const inline = fanout === 1 && options.eventBytes !== undefined && options.eventBytes <= INLINE_EVENT_MAX_BYTES;
  return [...byWorkspace.values()].map((rule) => {
    const original = jobIdOf(event.id, rule.workspaceId);
    const jobId = options.replayId ? `${original}:replay:${options.replayId}` : original;
    const job: Job = {
      jobId,
      workspaceId: rule.workspaceId,
      subscriptionId: rule.id,
      event: { id: event.id, seq: eventSeq, source: event.source, type: event.type, resource: event.resource, receivedAt: event.receivedAt },
      ...(options.replayId ? { replayOf: original } : {}),
      fanout,
      ...(inline ? { inlineEvent: event } : {}),
    };
    return {
      subject,
      data: job,
      msgId: jobId,
      headers: {
        [HEADERS.jobId]: jobId,
        [HEADERS.eventId]: event.id,
        [HEADERS.workspaceId]: rule.workspaceId,
        [HEADERS.source]: event.source,
        [HEADERS.eventType]: event.type,
        ...(options.replayId ? { [HEADERS.replayOf]: original } : {}),
      },
    };
  });
}
