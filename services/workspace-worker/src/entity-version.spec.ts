import { entityVersionOf } from "./entity-version";

const github = (type: string, payload: unknown) => entityVersionOf({ source: "github", type, payload });

describe("entityVersionOf", () => {
  it("reads GitHub's changed object and its updated_at", () => {
    expect(github("pull_request", { action: "edited", pull_request: { id: 42, updated_at: "2026-11-27T10:00:00Z" } })).toEqual({
      entity: "pull_request/42",
      at: new Date("2026-11-27T10:00:00Z"),
    });
    expect(github("issues", { issue: { id: 7, updated_at: "2026-11-27T10:00:01Z" } })).toEqual({ entity: "issues/7", at: new Date("2026-11-27T10:00:01Z") });
    expect(github("issue_comment", { issue: { id: 7 }, comment: { id: 9, updated_at: "2026-11-27T10:00:02Z" } })?.entity).toBe("issue_comment/9");
  });

  it("has nothing for GitHub events without an object and a valid time", () => {
    expect(github("push", { ref: "refs/heads/main", head_commit: { timestamp: "2026-11-27T10:00:00Z" } })).toBeNull();
    expect(github("pull_request", { pull_request: { id: 42 } })).toBeNull();
    expect(github("pull_request", { pull_request: { id: 42, updated_at: "yesterday" } })).toBeNull();
    expect(github("pull_request", { pull_request: { updated_at: "2026-11-27T10:00:00Z" } })).toBeNull();
    expect(github("issues", "not an object")).toBeNull();
  });

  it("reads a Stripe event's object id and creation time", () => {
    const event = { id: "evt_1", type: "invoice.paid", created: 1_790_000_000, data: { object: { id: "in_123", object: "invoice" } } };
    expect(entityVersionOf({ source: "stripe", type: "invoice.paid", payload: event })).toEqual({ entity: "in_123", at: new Date(1_790_000_000_000) });
    expect(entityVersionOf({ source: "stripe", type: "invoice.paid", payload: { ...event, created: "soon" } })).toBeNull();
    expect(entityVersionOf({ source: "stripe", type: "invoice.paid", payload: { ...event, data: {} } })).toBeNull();
  });

  it("has nothing for other sources", () => {
    expect(entityVersionOf({ source: "standard", type: "x", payload: { data: { object: { id: "a" } }, created: 1 } })).toBeNull();
  });
});
