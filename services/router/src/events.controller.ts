import { ConflictException, Controller, Get, NotFoundException, Param, Query, UseGuards } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { z } from "zod";
import { WebhookSource } from "@hookstream/contracts";
import { AdminGuard, ReadOnly, ZodPipe } from "@hookstream/platform";

const params = z.object({ id: z.string().min(1).max(256) });
/** Jobs are listed by workspace id, a page at a time: a fan-out may reach thousands of workspaces. */
const query = z.object({
  /** Needed only when several providers used the same event id. */
  source: WebhookSource.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(256).optional(),
});

interface RoutingRow {
  source: string;
  event_id: string;
  event_type: string;
  resource: string | null;
  stream_seq: string;
  received_at: Date;
  routed_at: Date;
  job_count: number;
  duration_ms: number | null;
}

interface JobStateRow {
  workspace_id: string;
  id: string | null;
  status: string | null;
  attempts: number | null;
  error: string | null;
  error_category: string | null;
  processing_mode: string | null;
  created_at: Date | null;
  started_at: Date | null;
  completed_at: Date | null;
  duration_ms: string | null;
  response_time_ms: number | null;
}

/**
 * Each routed workspace's job as the projection last saw it (background_jobs, by job id `<event id>:<workspace>`;
 * the newest, should the same job have been queued twice). No row yet: the projector has not seen the job.
 */
const JOBS_OF_ROUTING = `
  FROM routed_events r
  CROSS JOIN LATERAL unnest(r.workspaces) AS w(workspace_id)
  LEFT JOIN LATERAL (
    SELECT * FROM background_jobs b WHERE b.id = r.event_id || ':' || w.workspace_id AND b.webhook_source = r.source
     ORDER BY b.job_seq DESC LIMIT 1
  ) j ON true
  WHERE r.source = $1 AND r.event_id = $2`;

/** Not in background_jobs yet (the projector is behind): the job is on JOBS, its state unknown here. */
const NOT_PROJECTED = "not_projected";

const int = (v: string | number | null) => (v === null ? null : Number(v));

/** Where an event went: the routing decision (routed_events) and where each of its jobs stands (background_jobs). */
@Controller("admin/events")
@UseGuards(AdminGuard)
export class EventsController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get(":id")
  @ReadOnly()
  async get(@Param(new ZodPipe(params)) { id }: z.infer<typeof params>, @Query(new ZodPipe(query)) q: z.infer<typeof query>) {
    const routings: RoutingRow[] = await this.db.query(
      `SELECT source, event_id, event_type, resource, stream_seq, received_at, routed_at, job_count, duration_ms
         FROM routed_events WHERE event_id = $1 AND ($2::text IS NULL OR source = $2) ORDER BY source LIMIT 2`,
      [id, q.source ?? null],
    );
    const routing = routings[0];
    if (!routing) throw new NotFoundException({ code: "not_found", message: `event ${id} has not been routed` });
    if (routings.length > 1) throw new ConflictException({ code: "ambiguous_event", message: `several sources sent an event ${id}: add ?source=` });
    const key = [routing.source, routing.event_id];
    const [counts, jobs]: [{ status: string; n: string }[], JobStateRow[]] = await Promise.all([
      this.db.query(`SELECT COALESCE(j.status, '${NOT_PROJECTED}') AS status, count(*) AS n ${JOBS_OF_ROUTING} GROUP BY 1 ORDER BY 1`, key),
      this.db.query(
        `SELECT w.workspace_id, j.id, j.status, j.attempts, j.error, j.error_category, j.processing_mode, j.created_at, j.started_at,
                j.completed_at, j.duration_ms, j.response_time_ms
         ${JOBS_OF_ROUTING} AND ($3::text IS NULL OR w.workspace_id > $3)
         ORDER BY w.workspace_id LIMIT $4`,
        [...key, q.cursor ?? null, q.limit],
      ),
    ]);
    return {
      eventId: routing.event_id,
      source: routing.source,
      eventType: routing.event_type,
      resource: routing.resource,
      streamSeq: Number(routing.stream_seq),
      receivedAt: routing.received_at,
      routedAt: routing.routed_at,
      /** Null while routing is still under way. */
      routingDurationMs: routing.duration_ms,
      jobCount: routing.job_count,
      jobsByStatus: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])),
      jobs: jobs.map((j) => ({
        workspaceId: j.workspace_id,
        jobId: j.id,
        status: j.status ?? NOT_PROJECTED,
        attempts: j.attempts,
        error: j.error,
        errorCategory: j.error_category,
        processingMode: j.processing_mode,
        queuedAt: j.created_at,
        startedAt: j.started_at,
        completedAt: j.completed_at,
        durationMs: int(j.duration_ms),
        responseTimeMs: j.response_time_ms,
      })),
      nextCursor: jobs.length === q.limit ? jobs[jobs.length - 1]!.workspace_id : null,
    };
  }
}
