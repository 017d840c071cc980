import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { JOBS_OF_EVENT, OUTCOME_SQL } from "./event.search";

/** The console's overview counts, per minute over the last `minutes`, from the projections. */
@Injectable()
export class OverviewFigures {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Webhooks routed per minute of receipt, by source and by what became of them. */
  webhooks(minutes: number): Promise<{ minute: Date; source: string; outcome: string; count: number }[]> {
    return this.db.query(
      `SELECT date_trunc('minute', r.received_at) AS minute, r.source, ${OUTCOME_SQL} AS outcome, count(*)::int AS count
         FROM routed_events r ${JOBS_OF_EVENT}
        WHERE r.received_at >= now() - make_interval(mins => $1)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [minutes],
    );
  }

  /** Jobs queued per minute, by their status now. */
  jobs(minutes: number): Promise<{ minute: Date; status: string; count: number }[]> {
    return this.db.query(
      `SELECT date_trunc('minute', created_at) AS minute, status, count(*)::int AS count
         FROM background_jobs WHERE created_at >= now() - make_interval(mins => $1)
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [minutes],
    );
  }
}
