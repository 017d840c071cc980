import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Req, Res, UseGuards } from "@nestjs/common";
import type { FastifyReply } from "fastify";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { AdminGuard, type AdminRequest, ReadOnly, ZodPipe } from "@hookstream/platform";
import { actorOf } from "./admin.http";
import { BulkActions } from "./bulk.actions";
import { eventFilterFields, eventFilterRules } from "./dlq.filters";
import { EventReplays, type RoutedEvent } from "./event.replays";
import { Operations } from "./operations";

const replayBody = eventFilterRules(
  eventFilterFields.extend({
    dryRun: z.boolean().default(false),
    /** Events per second, at most DLQ_REPLAY_RATE. */
    rate: z.number().int().min(1).optional(),
  }),
);

/** Replay requests are published this many events at a time. */
const EVENT_PAGE = 200;

@Controller("admin")
@UseGuards(AdminGuard)
export class ReplayController {
  constructor(
    private readonly events: EventReplays,
    private readonly bulk: BulkActions,
    private readonly operations: Operations,
  ) {}

  /**
   * Routes stored events again (from WEBHOOKS, found through routed_events) by event id, time range, source or
   * workspace, as new jobs linked to the originals; `dryRun` only counts them.
   */
  @Post("replay")
  @HttpCode(202)
  async replay(@Body(new ZodPipe(replayBody)) body: z.infer<typeof replayBody>, @Req() req: AdminRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { dryRun, rate, ...filter } = body;
    const actor = actorOf(req);
    const asOf = new Date();
    const replayId = randomUUID();
    const result = await this.bulk.run<RoutedEvent>({
      actor,
      action: "event_replay",
      kind: "event_replay",
      filter,
      matched: await this.events.count(filter, asOf),
      dryRun,
      rate,
      extra: { replayId },
      page: (after) => this.events.page(filter, asOf, EVENT_PAGE, after),
      handle: async (event) => {
        await this.events.request(event, replayId, actor, filter.workspaceId);
        return true;
      },
    });
    if ("dryRun" in result) reply.status(200);
    return result;
  }

  /** Progress of a bulk or event-log replay. */
  @Get("operations/:id")
  @ReadOnly()
  async operation(@Param("id", new ParseUUIDPipe()) id: string) {
    const op = await this.operations.get(id);
    if (!op) throw new NotFoundException({ code: "not_found", message: "no such operation" });
    return op;
  }
}
