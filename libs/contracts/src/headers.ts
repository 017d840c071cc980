/** NATS header names. Hookstream's own are prefixed so they read clearly in `nats stream view`. */
export const HEADERS = {
  msgId: "Nats-Msg-Id",
  eventId: "Hookstream-Event-Id",
  source: "Hookstream-Source",
  eventType: "Hookstream-Event-Type",
  resource: "Hookstream-Resource",
  workspaceId: "Hookstream-Workspace-Id",
  jobId: "Hookstream-Job-Id",
  /** Set on a replayed job: the id of the job it replays. */
  replayOf: "Hookstream-Replay-Of",
  traceparent: "traceparent",
  tracestate: "tracestate",
} as const;
