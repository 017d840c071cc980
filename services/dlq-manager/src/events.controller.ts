import { Controller, Get, Inject, NotFoundException, Param, ParseIntPipe, Query, UseGuards } from "@nestjs/common";
import { AdminGuard, ReadOnly, ZodPipe } from "@hookstream/platform";
import { orUnavailable } from "./admin.http";
import { AttemptHistory } from "./attempt.history";
import { DLQ_CONFIG, type DlqConfig } from "./config";
import { EventMessages } from "./event.messages";
import { EventQuery, EventSearch } from "./event.search";
import { maskHeaders, traceLink } from "./event.view";

/** An event page lists this many of its jobs at most (a fan-out may reach thousands of workspaces). */
const JOBS_SHOWN = 500;

/** What happened to an event: the console's search and event page. */
@Controller("admin")
@UseGuards(AdminGuard)
export class EventsController {
  constructor(
    @Inject(DLQ_CONFIG) private readonly config: DlqConfig,
    private readonly search: EventSearch,
    private readonly messages: EventMessages,
    private readonly attempts: AttemptHistory,
  ) {}

  /** Routed events, newest first, by event id, source, type, resource, workspace and time range. */
  @Get("events")
  @ReadOnly()
  list(@Query(new ZodPipe(EventQuery)) q: EventQuery) {
    return this.search.search(q);
  }

  /**
   * One event by its WEBHOOKS sequence: its headers (signatures masked) and payload from the stream, the
   * workspaces it fanned out to, its jobs, its dead-letter entries and its trace.
   */
  @Get("events/:seq")
  @ReadOnly()
  async get(@Param("seq", new ParseIntPipe()) seq: number) {
    const [summary, stored] = await Promise.all([this.search.bySeq(seq), orUnavailable(() => this.messages.get(seq))]);
    if (!summary && !stored) throw new NotFoundException({ code: "not_found", message: `no event at ${seq}` });
    const source = summary?.source ?? stored!.event.source;
    const eventId = summary?.eventId ?? stored!.event.id;
    const [jobs, deadLetters] = await Promise.all([this.search.jobs(source, eventId, JOBS_SHOWN + 1), this.search.deadLetters(source, eventId)]);
    return {
      seq,
      eventId,
      source,
      eventType: summary?.eventType ?? stored!.event.type,
      resource: summary ? summary.resource : stored!.event.resource,
      receivedAt: summary?.receivedAt ?? stored!.event.receivedAt,
      routedAt: summary?.routedAt ?? null,
      workspaces: summary?.workspaces ?? [],
      /** Null until the router has routed it. */
      jobCount: summary?.jobCount ?? null,
      outcome: summary?.outcome ?? "in_flight",
      /** False once WEBHOOKS no longer holds it (past its retention): headers and payload are gone. */
      stored: stored !== null,
      headers: stored ? maskHeaders(stored.event.headers) : null,
      payload: stored?.event.payload ?? null,
      trace: traceLink(this.config.traceUrlTemplate, stored?.traceparent),
      jobs: jobs.slice(0, JOBS_SHOWN),
      jobsTruncated: jobs.length > JOBS_SHOWN,
      deadLetters,
    };
  }

  /** One job's failed attempts, from JOB_EVENTS. */
  @Get("jobs/:seq/attempts")
  @ReadOnly()
  async jobAttempts(@Param("seq", new ParseIntPipe()) seq: number) {
    return { items: await orUnavailable(() => this.attempts.of(seq)) };
  }
}
