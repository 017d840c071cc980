/**
 * Several worker processes record activity at once, each in batches (one statement for the jobs running together).
 * Batches of different workers upsert overlapping daily rows; taken in different orders, two statements would each
 * hold a row the other waits for, and PostgreSQL would abort one as a deadlock: a failed attempt for every job in it.
 */
import { randomUUID } from "node:crypto";
import { DataSource } from "typeorm";
import type { Job } from "@hookstream/contracts";
import { dataSourceOptions, migrate } from "@hookstream/database";
import { createTestDatabase, type TestDatabase } from "@hookstream/testing";
import { WorkspaceActivityHandler } from "../src/handlers/activity.handler";

const WORKERS = 3;
const WORKSPACES = 60;
const ROUNDS = 25;
const PER_BATCH = 40;

let db: TestDatabase;
const sources: DataSource[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.url);
  for (let w = 0; w < WORKERS; w++) sources.push(await new DataSource(dataSourceOptions(db.url, 2)).initialize());
});

afterAll(async () => {
  await Promise.all(sources.map((s) => s.destroy()));
  await db?.drop();
});

const job = (eventId: string, workspaceId: string): Job => ({
  jobId: `${eventId}:${workspaceId}`,
  workspaceId,
  subscriptionId: randomUUID(),
  event: { id: eventId, seq: 1, source: "github", type: "push", resource: "acme/busy", receivedAt: "2026-11-27T12:00:00.000Z" },
});

/** A random share of the workspaces, in random order: what one worker's running jobs of one event are. */
function someWorkspaces(): string[] {
  const all = Array.from({ length: WORKSPACES }, (_, i) => `ws-${i}`);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, PER_BATCH);
}

it("records the activity of workers writing the same daily rows at once, without a deadlock, each job counted once", async () => {
  const handlers = sources.map((s) => new WorkspaceActivityHandler(s));
  const failures: string[] = [];
  const counted = async () => (await sources[0]!.query(`SELECT coalesce(sum(event_count), 0)::int AS n FROM workspace_activity_daily`))[0].n as number;
  const before = await counted();
  let jobs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Each worker handles its own event's jobs, all at once, so they share one statement.
    await Promise.all(
      handlers.map((h, w) => {
        const eventId = `e-${round}-${w}`;
        const batch = someWorkspaces().map((ws) => job(eventId, ws));
        jobs += batch.length;
        return Promise.all(batch.map((j) => h.handle({ job: j } as never).catch((e: Error) => failures.push(e.message))));
      }),
    );
  }
  expect(failures.slice(0, 3)).toEqual([]);
  expect((await counted()) - before).toBe(jobs);
  expect(await sources[0]!.query(`SELECT count(*)::int AS rows FROM workspace_activity_daily`)).toEqual([{ rows: WORKSPACES }]);
});
