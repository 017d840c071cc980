import fc from "fast-check";
import { DataSource } from "typeorm";
import { dataSourceOptions } from "@hookstream/database";
import { createTestDatabase, type TestDatabase } from "@hookstream/testing";
import { jobHistories } from "../../../../test/support/job-histories";
import { JobProjectionStore } from "./job-projection.store";
import { type JobRow, mergeRows } from "./job-row";

// The upsert against PostgreSQL: whatever the order, batching and concurrency of the writes, each stored row is
// what mergeRows makes of the job's transitions.
let db: TestDatabase;
let pool: DataSource;
let store: JobProjectionStore;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = await new DataSource(dataSourceOptions(db.url, 4)).initialize();
  store = new JobProjectionStore(pool);
});
afterAll(async () => {
  await pool.destroy();
  await db.drop();
});

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

async function stored() {
  return db.query(`
    SELECT job_seq::integer AS "jobSeq", id, workspace_id AS "workspaceId", event_id AS "eventId", webhook_source AS source,
           webhook_event_type AS "eventType", replay_of AS "replayOf", processing_mode AS "processingMode",
           ${iso("received_at")} AS "receivedAt", ${iso("created_at")} AS "queuedAt", status, status_rank AS "statusRank",
           ${iso("completed_at")} AS "completedAt", attempts, error, error_category AS "errorCategory", error_attempt AS "errorAttempt",
           response_time_ms AS "responseTimeMs", outcome_attempt AS "outcomeAttempt", ${iso("started_at")} AS "startedAt",
           ${iso("updated_at")} AS "updatedAt", affected_workspaces AS "affectedWorkspaces"
      FROM background_jobs ORDER BY job_seq`);
}

/** Three jobs of one event, to three workspaces. */
const jobs = fc.tuple(jobHistories(1, "ws-1"), jobHistories(2, "ws-2"), jobHistories(3, "ws-3"));

describe("JobProjectionStore", () => {
  it("stores what mergeRows makes of the transitions, in any order, batching and concurrency", async () => {
    const runs = jobs.chain((histories) =>
      fc.tuple(fc.constant(histories), fc.shuffledSubarray(histories.flat(), { minLength: histories.flat().length }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 30, maxLength: 30 })),
    );
    await fc.assert(
      fc.asyncProperty(runs, async ([histories, shuffled, sizes]) => {
        await store.clear();
        const batches: JobRow[][] = [];
        let i = 0;
        for (const size of sizes) {
          batches.push(shuffled.slice(i, i + size));
          i += size;
        }
        batches.push(shuffled.slice(i));
        // Two writers at a time, as two worker replicas would.
        for (let n = 0; n < batches.length; n += 2) await Promise.all(batches.slice(n, n + 2).map((b) => store.write(b)));
        const expected = histories.map((h) => h.reduce(mergeRows));
        expect(expected.map((r) => r.affectedWorkspaces)).toEqual([3, 3, 3]);
        expect(await stored()).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });

  it("writes nothing new when the same transitions come again", async () => {
    await store.clear();
    const [histories] = fc.sample(jobs, 1);
    await store.write(histories!.flat());
    const before = await stored();
    await store.write(histories!.flat().reverse());
    expect(await stored()).toEqual(before);
  });
});
