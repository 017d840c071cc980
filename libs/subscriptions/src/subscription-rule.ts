/** What routing needs of a subscription. */
export interface SubscriptionRule {
  id: string;
  workspaceId: string;
  source: string;
  /** `owner/repo` exactly, `owner/*` for a whole account or organisation, or `*` for everything. */
  resource: string;
  /** Only these event types (null: all). */
  eventTypes: string[] | null;
  /** Only these actions, for events that carry one (null: all). */
  actions: string[] | null;
}

/** The resource patterns an event's resource can be matched by, most specific first. */
export function resourceKeys(resource: string | null): string[] {
  if (!resource) return ["*"];
  const slash = resource.indexOf("/");
  return slash > 0 ? [resource, `${resource.slice(0, slash)}/*`, "*"] : [resource, "*"];
}
