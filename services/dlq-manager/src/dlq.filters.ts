import { z } from "zod";
import { ErrorCategory, WebhookSource } from "@hookstream/contracts";
import { DEAD_LETTER_STATUSES } from "@hookstream/database";

const instant = z.iso.datetime({ offset: true });
const name = z.string().min(1).max(128);
/** `true`/`false` in a query string, a boolean in a JSON body. */
const flag = z.union([z.boolean(), z.stringbool()]);

/** Which dead-letter entries: the list, the bulk replay and its dry run all select with this. */
export const EntryFilter = z.object({
  status: z.enum(DEAD_LETTER_STATUSES).optional(),
  category: ErrorCategory.optional(),
  source: WebhookSource.optional(),
  eventType: name.optional(),
  workspaceId: name.optional(),
  needsManualIntervention: flag.optional(),
  /** Entries created at or after this instant. */
  since: instant.optional(),
  /** Entries created before this instant. */
  until: instant.optional(),
});
export type EntryFilter = z.infer<typeof EntryFilter>;

/** One condition for a TypeORM query builder over `dead_letter_queue`. */
export interface Condition {
  sql: string;
  params: Record<string, unknown>;
}

export function entryConditions(f: EntryFilter, alias = "d"): Condition[] {
  const c: Condition[] = [];
  const eq = (column: string, key: string, value: unknown) => {
    if (value !== undefined) c.push({ sql: `${alias}.${column} = :${key}`, params: { [key]: value } });
  };
  eq("status", "status", f.status);
  eq("error_category", "category", f.category);
  eq("source", "source", f.source);
  eq("event_type", "eventType", f.eventType);
  eq("workspace_id", "workspaceId", f.workspaceId);
  eq("needs_manual_intervention", "needsManualIntervention", f.needsManualIntervention);
  if (f.since) c.push({ sql: `${alias}.created_at >= :since`, params: { since: f.since } });
  if (f.until) c.push({ sql: `${alias}.created_at < :until`, params: { until: f.until } });
  return c;
}

const eventFilterShape = z.object({
  eventIds: z.array(z.string().min(1).max(256)).min(1).max(1000).optional(),
  source: WebhookSource.optional(),
  /** Events received at or after this instant. */
  since: instant.optional(),
  /** Events received before this instant (default: when the replay was asked for). */
  until: instant.optional(),
  /** Only this workspace's jobs, and only events that were routed to it. */
  workspaceId: name.optional(),
});

/** An event filter's rules, for it and for the request bodies that extend it. */
export function eventFilterRules<S extends z.ZodType<z.infer<typeof eventFilterShape>>>(schema: S) {
  return schema
    .refine((f) => f.eventIds || f.since || f.workspaceId, { message: "name the events: eventIds, since (with until) or workspaceId" })
    .refine((f) => !f.since || !f.until || Date.parse(f.since) < Date.parse(f.until), { message: "since must come before until", path: ["until"] });
}

/** Which stored events to route again; at least one of event ids, a start time or a workspace names them. */
export const EventFilter = eventFilterRules(eventFilterShape);
export const eventFilterFields = eventFilterShape;
export type EventFilter = z.infer<typeof EventFilter>;

export interface EventCursor {
  receivedAt: string;
  source: string;
  eventId: string;
}

/**
 * The WHERE clause over `routed_events` for a filter, with positional parameters. `asOf` bounds the range, so a
 * dry run and the replay that follows see the same events however many arrive meanwhile.
 */
export function eventSelection(f: EventFilter, asOf: Date, after?: EventCursor): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(`$${params.length}`));
  };
  if (f.eventIds) add((p) => `event_id = ANY(${p}::text[])`, f.eventIds);
  if (f.source) add((p) => `source = ${p}`, f.source);
  if (f.since) add((p) => `received_at >= ${p}`, f.since);
  const until = f.until && Date.parse(f.until) < asOf.getTime() ? f.until : asOf.toISOString();
  add((p) => `received_at < ${p}`, until);
  if (f.workspaceId) add((p) => `workspaces @> ARRAY[${p}]::text[]`, f.workspaceId);
  if (after) {
    params.push(after.receivedAt, after.source, after.eventId);
    const n = params.length;
    clauses.push(`(received_at, source, event_id) > ($${n - 2}, $${n - 1}, $${n})`);
  }
  return { where: clauses.join(" AND "), params };
}
