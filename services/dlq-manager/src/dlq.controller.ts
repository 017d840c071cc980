import { Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Query, Req, Res, UseGuards } from "@nestjs/common";
import type { FastifyReply } from "fastify";
import { z } from "zod";
import { AdminGuard, type AdminRequest, ReadOnly, ZodPipe } from "@hookstream/platform";
import { actorOf, orUnavailable } from "./admin.http";
import { AUDIT_ACTIONS, AuditLog } from "./audit.log";
import { BulkActions } from "./bulk.actions";
import { DeadLetterStore } from "./dead-letter.store";
import { EntryFilter } from "./dlq.filters";
import { EntryReplayer } from "./entry.replayer";

const page = { limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.string().max(200).optional() };
const listQuery = EntryFilter.extend(page);
const auditQuery = z.object({ action: z.enum(AUDIT_ACTIONS).optional(), entryId: z.uuid().optional(), ...page });
const bulkBody = EntryFilter.extend({
  /** Only count what would be replayed. */
  dryRun: z.boolean().default(false),
  /** Replays per second, at most DLQ_REPLAY_RATE. */
  rate: z.number().int().min(1).optional(),
});
const noteBody = z.object({ note: z.string().trim().min(1).max(2000) });

/** Bulk replays walk the matching entries this many at a time. */
const BULK_PAGE = 200;

@Controller("admin/dlq")
@UseGuards(AdminGuard)
export class DlqController {
  constructor(
    private readonly store: DeadLetterStore,
    private readonly replayer: EntryReplayer,
    private readonly bulk: BulkActions,
    private readonly audit: AuditLog,
  ) {}

  /** Newest first; `nextCursor` fetches the following page. */
  @Get()
  @ReadOnly()
  list(@Query(new ZodPipe(listQuery)) q: z.infer<typeof listQuery>) {
    const { limit, cursor, ...filter } = q;
    return this.store.list(filter, limit, cursor);
  }

  @Get("stats")
  @ReadOnly()
  stats() {
    return this.store.stats();
  }

  @Get("audit")
  @ReadOnly()
  auditLog(@Query(new ZodPipe(auditQuery)) q: z.infer<typeof auditQuery>) {
    const { limit, cursor, ...filter } = q;
    return this.audit.list(filter, limit, cursor);
  }

  /** The entry with its attempt history (`attempts`) and every replay of it (`replays`). */
  @Get(":id")
  @ReadOnly()
  async get(@Param("id", new ParseUUIDPipe()) id: string) {
    const entry = await this.store.get(id);
    if (!entry) throw notFound();
    return { ...entry, replays: await this.store.replays(id) };
  }

  /** Replays the entries matching the filter (pending or failed ones) in the background, at a bounded rate. */
  @Post("replay")
  @HttpCode(202)
  async bulkReplay(@Body(new ZodPipe(bulkBody)) body: z.infer<typeof bulkBody>, @Req() req: AdminRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { dryRun, rate, ...filter } = body;
    const actor = actorOf(req);
    const asOf = new Date();
    const result = await this.bulk.run<{ id: string; createdAt: Date }>({
      actor,
      action: "bulk_replay",
      kind: "dlq_replay",
      filter,
      matched: await this.store.countReplayable(filter, asOf),
      dryRun,
      rate,
      page: (after) => this.store.replayableIds(filter, asOf, BULK_PAGE, after),
      handle: async ({ id }) => (await this.replayer.replay(id, "bulk", actor)).kind === "published",
    });
    if ("dryRun" in result) reply.status(200);
    return result;
  }

  @Post(":id/replay")
  @HttpCode(202)
  async replay(@Param("id", new ParseUUIDPipe()) id: string, @Req() req: AdminRequest) {
    const actor = actorOf(req);
    const result = await orUnavailable(() => this.replayer.replay(id, "manual", actor));
    if (result.kind === "not_found") throw notFound();
    if (result.kind === "refused") {
      await this.audit.record({ actor, action: "replay", entryId: id, outcome: "refused", details: { reason: result.reason } });
      throw new ConflictException({ code: "not_replayable", message: result.reason });
    }
    const { kind: _, ...replay } = result;
    await this.audit.record({ actor, action: "replay", entryId: id, outcome: "accepted", details: replay });
    return { id, ...replay };
  }

  @Post(":id/resolve")
  @HttpCode(200)
  resolve(@Param("id", new ParseUUIDPipe()) id: string, @Body(new ZodPipe(noteBody)) body: z.infer<typeof noteBody>, @Req() req: AdminRequest) {
    return this.close(id, "resolved", body.note, actorOf(req));
  }

  @Post(":id/discard")
  @HttpCode(200)
  discard(@Param("id", new ParseUUIDPipe()) id: string, @Body(new ZodPipe(noteBody)) body: z.infer<typeof noteBody>, @Req() req: AdminRequest) {
    return this.close(id, "discarded", body.note, actorOf(req));
  }

  private async close(id: string, status: "resolved" | "discarded", note: string, actor: string) {
    const action = status === "resolved" ? "resolve" : "discard";
    const closed = await this.store.close(id, status, actor, note);
    if (closed) {
      await this.audit.record({ actor, action, entryId: id, outcome: "accepted", details: { note } });
      return closed;
    }
    const entry = await this.store.get(id);
    if (!entry) throw notFound();
    await this.audit.record({ actor, action, entryId: id, outcome: "refused", details: { note, status: entry.status } });
    throw new ConflictException({ code: "not_open", message: `the entry is ${entry.status}` });
  }
}

const notFound = () => new NotFoundException({ code: "not_found", message: "no such dead-letter entry" });
