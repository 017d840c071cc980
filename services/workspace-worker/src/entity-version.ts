import type { WebhookEvent } from "@hookstream/contracts";
import { field } from "./payload";

/** What an event changes and as of when: jobs for the same workspace and entity must not go back in time. */
export interface EntityVersion {
  /** Unique within the event's source, e.g. `pull_request/42` or `in_1Nx…`. */
  entity: string;
  at: Date;
}

/**
 * GitHub event types whose payload carries the changed object with an `updated_at`: the type names the object's
 * field. Others (push, release, review) carry no modification time, so they are never stale.
 */
const GITHUB_OBJECTS = new Map([
  ["pull_request", "pull_request"],
  ["issues", "issue"],
  ["issue_comment", "comment"],
  ["pull_request_review_comment", "comment"],
  ["discussion", "discussion"],
  ["discussion_comment", "comment"],
  ["milestone", "milestone"],
  ["deployment_status", "deployment_status"],
]);

function idOf(value: unknown): string | null {
  if (typeof value === "string" && value.length > 0) return value;
  return typeof value === "number" && Number.isFinite(value) ? String(value) : null;
}

function version(entity: string | null, ms: number): EntityVersion | null {
  return entity !== null && Number.isFinite(ms) ? { entity, at: new Date(ms) } : null;
}

/** The entity an event changes and its time, or null when the event carries none. */
export function entityVersionOf(event: Pick<WebhookEvent, "source" | "type" | "payload">): EntityVersion | null {
  const { payload } = event;
  if (event.source === "github") {
    const fieldName = GITHUB_OBJECTS.get(event.type);
    if (!fieldName) return null;
    const object = field(payload, fieldName);
    const id = idOf(field(object, "id"));
    const updatedAt = field(object, "updated_at");
    return version(id && `${event.type}/${id}`, typeof updatedAt === "string" ? Date.parse(updatedAt) : NaN);
  }
  if (event.source === "stripe") {
    // Stripe sends events out of order; `created` (seconds) orders the changes of one object.
    const created = field(payload, "created");
    return version(idOf(field(field(field(payload, "data"), "object"), "id")), typeof created === "number" ? created * 1000 : NaN);
  }
  return null;
}
