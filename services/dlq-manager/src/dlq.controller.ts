import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query, UseGuards } from "@nestjs/common";
import { z } from "zod";
import { ErrorCategory, WebhookSource } from "@hookstream/contracts";
import { AdminGuard, ReadOnly, ZodPipe } from "@hookstream/platform";
import { DeadLetterStore } from "./dead-letter.store";

const listQuery = z.object({
  status: z.enum(["pending", "retrying", "reprocessed", "resolved", "discarded", "failed"]).optional(),
  category: ErrorCategory.optional(),
  source: WebhookSource.optional(),
  eventType: z.string().max(128).optional(),
  workspaceId: z.string().max(128).optional(),
  since: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

@Controller("admin/dlq")
@UseGuards(AdminGuard)
export class DlqController {
  constructor(private readonly store: DeadLetterStore) {}

  /** Newest first; `nextCursor` fetches the following page. */
  @Get()
  @ReadOnly()
  async list(@Query(new ZodPipe(listQuery)) q: z.infer<typeof listQuery>) {
    const { limit, cursor, ...filter } = q;
    return this.store.list(filter, limit, cursor);
  }

  @Get(":id")
  @ReadOnly()
  async get(@Param("id", new ParseUUIDPipe()) id: string) {
    const entry = await this.store.get(id);
    if (!entry) throw new NotFoundException({ code: "not_found", message: "no such dead-letter entry" });
    return entry;
  }
}
