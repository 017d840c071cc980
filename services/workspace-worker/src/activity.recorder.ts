import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import type { Job } from "@hookstream/contracts";

/** The workspace saw this event: one row per (event, workspace), however often the job runs. */
@Injectable()
export class ActivityRecorder {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(job: Job): Promise<void> {
    await this.db.query(
      `INSERT INTO workspace_activity (event_id, workspace_id, job_id, source, event_type, resource, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (event_id, workspace_id) DO NOTHING`,
      [job.event.id, job.workspaceId, job.jobId, job.event.source, job.event.type, job.event.resource, job.event.receivedAt],
    );
  }
}
