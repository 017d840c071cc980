import { describeUpdate } from "./report";

describe("describeUpdate", () => {
  it("shows durations and sizes as operators write them, and what lowering a limit does", () => {
    const line = describeUpdate({
      name: "stream JOBS",
      changes: [
        { field: "max_age", from: 7 * 86_400e9, to: 3 * 86_400e9 },
        { field: "max_bytes", from: -1, to: 2 ** 30 },
        { field: "duplicate_window", from: 120e9, to: 60e9 },
      ],
    });
    expect(line).toBe(
      "stream JOBS: max_age 7d → 3d (older messages are removed now), max_bytes unlimited → 1GiB (the oldest messages over it are removed now, whatever the discard policy), duplicate_window 2m → 1m",
    );
  });

  it("says nothing more when a limit is raised, and shows other settings as they are", () => {
    expect(describeUpdate({ name: "stream WEBHOOKS", changes: [{ field: "max_age", from: 86_400e9, to: 30 * 86_400e9 }, { field: "max_bytes", from: 2 ** 20, to: -1 }] })).toBe(
      "stream WEBHOOKS: max_age 1d → 30d, max_bytes 1MiB → unlimited",
    );
    expect(describeUpdate({ name: "consumer JOBS > workspace-worker", changes: [{ field: "backoff", from: [5e9, 30e9], to: [1e9] }, { field: "max_deliver", from: 6, to: 9 }] })).toBe(
      "consumer JOBS > workspace-worker: backoff 5s,30s → 1s, max_deliver 6 → 9",
    );
  });
});
