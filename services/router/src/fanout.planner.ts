import { HEADERS, type Job, jobIdOf, SUBJECTS, type WebhookEvent } from "@hookstream/contracts";
import type { OutgoingMessage } from "@hookstream/jetstream";

export interface MatchedSubscription {
  id: string;
  workspaceId: string;
  resource: string;
}

/**
 * One job per workspace, whatever number of its subscriptions match: an exact resource wins over `*`.
 * The job id (`<eventId>:<workspaceId>`) is also its Nats-Msg-Id, so routing the same event twice adds nothing.
 */
export type PlannedJob = OutgoingMessage & { data: Job };

export function planFanout(event: WebhookEvent, eventSeq: number, subscriptions: MatchedSubscription[]): PlannedJob[] {
  const byWorkspace = new Map<string, MatchedSubscription>();
  for (const s of subscriptions) {
    const current = byWorkspace.get(s.workspaceId);
    if (!current || (current.resource === "*" && s.resource !== "*")) byWorkspace.set(s.workspaceId, s);
  }
  const subject = SUBJECTS.job(event.source, event.type);
  return [...byWorkspace.values()].map((s) => {
    const jobId = jobIdOf(event.id, s.workspaceId);
    const job: Job = {
      jobId,
      workspaceId: s.workspaceId,
      subscriptionId: s.id,
      event: { id: event.id, seq: eventSeq, source: event.source, type: event.type, resource: event.resource, receivedAt: event.receivedAt },
    };
    return {
      subject,
      data: job,
      msgId: jobId,
      headers: {
        [HEADERS.jobId]: jobId,
        [HEADERS.eventId]: event.id,
        [HEADERS.workspaceId]: s.workspaceId,
        [HEADERS.source]: event.source,
        [HEADERS.eventType]: event.type,
      },
    };
  });
}
