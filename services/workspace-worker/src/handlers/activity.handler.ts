import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { MicroBatcher } from "@hookstream/collections";
import type { Job } from "@hookstream/contracts";
import { HandlesJobs, type JobHandlerProvider, type JobInput } from "./job-handler";

/** Jobs running at once record their activity in one statement (a fan-out's jobs arrive together). */
const BATCH = { maxItems: 500, maxDelayMs: 2 };

/**
 * The workspace saw this event: one workspace_activity row per (event, workspace), and the event counted once in
 * workspace_activity_daily (per workspace, source, repository, event type and UTC day of receipt), in one statement:
 * only a newly inserted activity row increments the count, so a retried or replayed job never counts twice, and
 * any number of pushes to one repository on one day are one row. Concurrent jobs share the statement; each job
 * goes on only once the statement holding its row committed. Rows are written in key order: statements of several
 * workers then lock the daily rows they share in the same order and never deadlock.
 */
@HandlesJobs({ name: "workspace-activity", order: 10, handles: [{ source: "*", eventTypes: "*" }] })
@Injectable()
export class WorkspaceActivityHandler implements JobHandlerProvider {
  private readonly batcher = new MicroBatcher<Job>((jobs) => this.record(jobs), BATCH);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  handle({ job }: JobInput): Promise<void> {
    return this.batcher.add(job);
  }

  private async record(jobs: Job[]): Promise<void> {
    await this.db.query(
      `WITH seen AS (
         INSERT INTO workspace_activity (event_id, workspace_id, job_id, source, event_type, resource, received_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
          ORDER BY 1, 2
         ON CONFLICT (event_id, workspace_id) DO NOTHING
         RETURNING workspace_id, source, coalesce(resource, '') AS resource, event_type, received_at
       )
       INSERT INTO workspace_activity_daily AS d (workspace_id, day, source, resource, event_type, event_count, first_received_at, last_received_at)
       SELECT workspace_id, (received_at AT TIME ZONE 'UTC')::date, source, resource, event_type, count(*), min(received_at), max(received_at)
         FROM seen GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
       ON CONFLICT (workspace_id, day, source, resource, event_type) DO UPDATE
         SET event_count = d.event_count + excluded.event_count,
             first_received_at = least(d.first_received_at, excluded.first_received_at),
             last_received_at = greatest(d.last_received_at, excluded.last_received_at),
             updated_at = now()`,
      [
        jobs.map((j) => j.event.id),
        jobs.map((j) => j.workspaceId),
        jobs.map((j) => j.jobId),
        jobs.map((j) => j.event.source),
        jobs.map((j) => j.event.type),
        jobs.map((j) => j.event.resource),
        jobs.map((j) => j.event.receivedAt),
      ],
    );
  }
}
