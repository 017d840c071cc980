import { cacheScopeFilter, type WebhookEvent } from "@hookstream/contracts";
import { field } from "../payload";

const text = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : null);

/**
 * The key filters an event invalidates in its workspace's cache: its resource (a repository, a Stripe connected
 * account) and, for Stripe, the changed object and its customer, whose cached views it may change.
 */
export function invalidatedFilters(event: Pick<WebhookEvent, "source" | "resource" | "payload">): string[] {
  const scopes = [event.resource];
  if (event.source === "stripe") {
    const object = field(field(event.payload, "data"), "object");
    scopes.push(text(field(object, "id")), text(field(object, "customer")));
  }
  const present = scopes.filter((s): s is string => s !== null && s.length > 0);
  return [...new Set(present.map((s) => cacheScopeFilter(event.source, s)))];
}
