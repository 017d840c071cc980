import { entryDetail, entryTable, type EntryView, humanDuration, operationSummary, progressBar, statsSummary, table } from "./format";

const now = new Date("2026-11-27T12:00:00.000Z");
const entry: EntryView = {
  id: "8a0d4c7e-5f39-4d7e-9a34-3f0b7a1f2c11",
  status: "failed",
  errorCategory: "external_api",
  errorMessage: "destination answered 500",
  source: "github",
  eventType: "issues",
  workspaceId: "ws-1",
  jobId: "d-1:ws-1",
  eventId: "d-1",
  stream: "JOBS",
  streamSeq: "41",
  subject: "jobs.github.issues",
  reason: "max_deliveries",
  destinationUrl: "http://dest/hook",
  deliveryCount: 4,
  retryCount: 1,
  replayCount: 1,
  nextRetryAt: null,
  needsManualIntervention: true,
  firstFailedAt: "2026-11-27T10:00:00.000Z",
  lastFailedAt: "2026-11-27T11:00:00.000Z",
  createdAt: "2026-11-27T10:00:01.000Z",
  resolvedBy: null,
  resolvedAt: null,
  resolutionNote: null,
  traceId: null,
  attempts: [
    { jobSeq: 41, attempt: 1, category: "external_api", message: "destination answered 500", status: 500, at: "2026-11-27T10:00:00.000Z", durationMs: 12 },
    { jobSeq: 57, attempt: 1, category: "external_api", message: "destination answered 500", status: 500, at: "2026-11-27T11:00:00.000Z", durationMs: 9 },
  ],
  replays: [{ n: 1, trigger: "automatic", requestedBy: "automatic-recovery", requestedAt: "2026-11-27T10:05:00.000Z", outcome: "dead_lettered", stream: "JOBS", streamSeq: "57" }],
};

describe("CLI output", () => {
  it("aligns table columns and cuts long cells", () => {
    expect(table(["A", "LONG HEADER"], [["x", "1"], ["yyyy", "2"]])).toBe("A     LONG HEADER\nx     1\nyyyy  2");
    expect(table(["A"], [["abcdefghij"]], 5)).toBe("A\nabcd…");
  });

  it("lists entries one per line, flagging those that need an operator", () => {
    const lines = entryTable([entry], now).split("\n");
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+CATEGORY/);
    expect(lines[1]).toMatch(/failed!\s+external_api\s+github\/issues\s+ws-1\s+4\s+1h ago\s+destination answered 500/);
    expect(entryTable([], now)).toBe("no entries");
  });

  it("shows an entry with every attempt and replay", () => {
    const text = entryDetail(entry, now);
    expect(text).toContain("needs manual intervention");
    expect(text).toMatch(/JOBS #41 on jobs.github.issues \(max_deliveries\)/);
    expect(text.split("\n").filter((l) => /^  \d+ .*500 .*destination answered 500$/.test(l))).toHaveLength(2);
    expect(text).toMatch(/1\s+automatic\s+automatic-recovery .* JOBS #57\s+dead_lettered/);
  });

  it("summarizes stats, durations, progress and operations", () => {
    expect(statsSummary({ total: 3, byStatus: { pending: 2, failed: 1, resolved: 0 }, byCategory: { timeout: 3 }, needsManualIntervention: 1, oldestPendingAgeSeconds: 7260 })).toBe(
      ["entries:              3", "by status:            pending 2, failed 1", "by category:          timeout 3", "needs intervention:   1", "oldest pending:       2h 1m"].join("\n"),
    );
    expect(humanDuration(0)).toBe("0s");
    expect(humanDuration(90061)).toBe("1d 1h");
    expect(progressBar(250, 1000, 10)).toBe("[###-------] 25% 250/1000");
    expect(progressBar(0, 0, 4)).toBe("[####] 100% 0/0");
    expect(operationSummary({ id: "op", kind: "dlq_replay", status: "done", total: 3, done: 2, skipped: 1, error: null })).toBe(
      "done: 2 of 3 entries replayed, 1 skipped (no longer replayable) (operation op)",
    );
  });
});
