// What the admin API's event search and event page answer (services/dlq-manager), as the DLQ manager reads it and
// as the web console receives it. `At` is a timestamp: a Date in the service, its ISO string once sent as JSON.
// Types only, so the console's browser bundle can import them.

/** What became of a routed event, from its jobs (the originals, not replays) as the projection knows them. */
export type EventOutcome = "no_subscribers" | "in_flight" | "delivered" | "dead_lettered";

export interface EventSummary<At = string> {
  seq: number;
  eventId: string;
  source: string;
  eventType: string;
  resource: string | null;
  receivedAt: At;
  routedAt: At;
  workspaces: string[];
  jobCount: number;
  outcome: EventOutcome;
}

export interface JobView<At = string> {
  jobSeq: number;
  id: string | null;
  workspaceId: string | null;
  status: string;
  attempts: number;
  error: string | null;
  errorCategory: string | null;
  replayOf: string | null;
  responseTimeMs: number | null;
  createdAt: At | null;
  completedAt: At | null;
}
