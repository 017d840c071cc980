import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { HandlesJobs, type JobHandlerProvider, type JobInput } from "./job-handler";

/**
 * The workspace saw this event: one workspace_activity row per (event, workspace), and the event counted once in
 * workspace_activity_daily (per workspace, source, repository, event type and UTC day of receipt), in one statement:
 * only a newly inserted activity row increments the count, so a retried or replayed job never counts twice, and
 * any number of pushes to one repository on one day are one row.
 */
@HandlesJobs({ name: "workspace-activity", order: 10, handles: [{ source: "*", eventTypes: "*" }] })
@Injectable()
export class WorkspaceActivityHandler implements JobHandlerProvider {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async handle({ job }: JobInput): Promise<void> {
    await this.db.query(
      `WITH seen AS (
         INSERT INTO workspace_activity (event_id, workspace_id, job_id, source, event_type, resource, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (event_id, workspace_id) DO NOTHING
         RETURNING workspace_id, source, coalesce(resource, '') AS resource, event_type, received_at
       )
       INSERT INTO workspace_activity_daily AS d (workspace_id, day, source, resource, event_type, event_count, first_received_at, last_received_at)
       SELECT workspace_id, (received_at AT TIME ZONE 'UTC')::date, source, resource, event_type, 1, received_at, received_at FROM seen
       ON CONFLICT (workspace_id, day, source, resource, event_type) DO UPDATE
         SET event_count = d.event_count + 1,
             first_received_at = least(d.first_received_at, excluded.first_received_at),
             last_received_at = greatest(d.last_received_at, excluded.last_received_at),
             updated_at = now()`,
      [job.event.id, job.workspaceId, job.jobId, job.event.source, job.event.type, job.event.resource, job.event.receivedAt],
    );
  }
}
