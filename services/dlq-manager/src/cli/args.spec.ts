import { instant, parseCommand, UsageError } from "./args";

const now = new Date("2026-11-27T12:00:00.000Z");
const parse = (line: string) => parseCommand(line.split(" ").filter(Boolean), now);

describe("parseCommand", () => {
  it("reads the dlq commands", () => {
    expect(parse("dlq stats --json")).toEqual({ kind: "dlq.stats", json: true });
    expect(parse("dlq show abc")).toEqual({ kind: "dlq.show", id: "abc", json: false });
    expect(parse("dlq replay abc")).toEqual({ kind: "dlq.replay", id: "abc", json: false });
    expect(parse("dlq ls --status pending --workspace ws-1 --limit 20")).toMatchObject({
      kind: "dlq.list",
      query: { status: "pending", workspaceId: "ws-1", limit: "20", category: undefined },
    });
    expect(parseCommand(["dlq", "resolve", "abc", "--note", "fixed upstream"], now)).toEqual({ kind: "dlq.close", action: "resolve", id: "abc", note: "fixed upstream", json: false });
    expect(parse("")).toEqual({ kind: "help" });
    expect(parse("dlq --help")).toEqual({ kind: "help" });
  });

  it("replays in bulk only what a filter (or --all) names", () => {
    expect(parse("dlq replay --category external_api --since 2h --rate 20 --dry-run")).toMatchObject({
      kind: "dlq.bulk",
      dryRun: true,
      body: { category: "external_api", since: "2026-11-27T10:00:00.000Z", rate: 20 },
    });
    expect(parse("dlq replay --all")).toMatchObject({ kind: "dlq.bulk", dryRun: false });
    expect(() => parse("dlq replay")).toThrow(UsageError);
  });

  it("replays events from the log by time range, ids or workspace", () => {
    expect(parse("replay --since 2026-11-27T08:00:00Z --until 1h --source github --dry-run")).toMatchObject({
      kind: "replay",
      dryRun: true,
      body: { since: "2026-11-27T08:00:00.000Z", until: "2026-11-27T11:00:00.000Z", source: "github" },
    });
    expect(parse("replay --event e1 --event e2")).toMatchObject({ body: { eventIds: ["e1", "e2"] } });
    expect(() => parse("replay --source github")).toThrow(/name the events/);
  });

  it("explains what it cannot run", () => {
    expect(() => parse("dlq resolve abc")).toThrow(/--note/);
    expect(() => parse("dlq show")).toThrow(/usage/);
    expect(() => parse("dlq explode")).toThrow(/unknown command/);
    expect(() => parse("queue ls")).toThrow(/unknown command/);
    expect(() => parse("dlq ls --colour")).toThrow(UsageError);
    expect(() => parse("dlq replay --all --rate fast")).toThrow(/--rate/);
  });
});

describe("instant", () => {
  it("takes an ISO instant or an age", () => {
    expect(instant("2026-11-27T08:00:00+01:00", now)).toBe("2026-11-27T07:00:00.000Z");
    expect(instant("30m", now)).toBe("2026-11-27T11:30:00.000Z");
    expect(() => instant("last tuesday", now)).toThrow(UsageError);
    expect(() => instant("2026-13-45", now)).toThrow(/not a date/);
  });
});
