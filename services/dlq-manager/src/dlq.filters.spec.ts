import { EntryFilter, entryConditions, EventFilter, eventSelection } from "./dlq.filters";

describe("entry filters", () => {
  it("turn each given field into one condition on its column", () => {
    const f = EntryFilter.parse({ status: "pending", category: "timeout", workspaceId: "ws-1", needsManualIntervention: "true", since: "2026-11-27T00:00:00Z" });
    expect(entryConditions(f)).toEqual([
      { sql: "d.status = :status", params: { status: "pending" } },
      { sql: "d.error_category = :category", params: { category: "timeout" } },
      { sql: "d.workspace_id = :workspaceId", params: { workspaceId: "ws-1" } },
      { sql: "d.needs_manual_intervention = :needsManualIntervention", params: { needsManualIntervention: true } },
      { sql: "d.created_at >= :since", params: { since: "2026-11-27T00:00:00Z" } },
    ]);
    expect(entryConditions({})).toEqual([]);
  });

  it("refuse values outside the known sets, and accept booleans from a JSON body", () => {
    expect(EntryFilter.safeParse({ status: "lost" }).success).toBe(false);
    expect(EntryFilter.safeParse({ category: "http_500" }).success).toBe(false);
    expect(EntryFilter.safeParse({ since: "yesterday" }).success).toBe(false);
    expect(EntryFilter.parse({ needsManualIntervention: false }).needsManualIntervention).toBe(false);
  });
});

describe("event filters", () => {
  const asOf = new Date("2026-11-27T12:00:00.000Z");

  it("must name the events somehow, in a forward range", () => {
    expect(EventFilter.safeParse({ source: "github" }).success).toBe(false);
    expect(EventFilter.safeParse({ since: "2026-11-27T10:00:00Z", until: "2026-11-27T09:00:00Z" }).success).toBe(false);
    expect(EventFilter.safeParse({ since: "2026-11-27T10:00:00Z" }).success).toBe(true);
    expect(EventFilter.safeParse({ eventIds: ["a"] }).success).toBe(true);
    expect(EventFilter.safeParse({ workspaceId: "ws-1" }).success).toBe(true);
  });

  it("select by time range and source, bounded by when the replay was asked for", () => {
    const s = eventSelection({ source: "github", since: "2026-11-27T10:00:00Z", until: "2026-11-28T00:00:00Z" }, asOf);
    expect(s.where).toBe("source = $1 AND received_at >= $2 AND received_at < $3");
    expect(s.params).toEqual(["github", "2026-11-27T10:00:00Z", "2026-11-27T12:00:00.000Z"]);
    expect(eventSelection({ since: "2026-11-27T10:00:00Z", until: "2026-11-27T11:00:00Z" }, asOf).params[1]).toBe("2026-11-27T11:00:00Z");
  });

  it("select by event ids and workspace, and page after a cursor", () => {
    const s = eventSelection({ eventIds: ["e1", "e2"], workspaceId: "ws-1" }, asOf, { receivedAt: "2026-11-27T10:00:00.000Z", source: "github", eventId: "e1" });
    expect(s.where).toBe("event_id = ANY($1::text[]) AND received_at < $2 AND workspaces @> ARRAY[$3]::text[] AND (received_at, source, event_id) > ($4, $5, $6)");
    expect(s.params).toEqual([["e1", "e2"], asOf.toISOString(), "ws-1", "2026-11-27T10:00:00.000Z", "github", "e1"]);
  });
});
