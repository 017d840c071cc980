import { Body, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, ParseUUIDPipe, Post, Query, UseGuards } from "@nestjs/common";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { NatsConnection } from "@nats-io/nats-core";
import { SUBJECTS, WebhookSource } from "@hookstream/contracts";
import { NATS_CONNECTION } from "@hookstream/jetstream";
import { AdminGuard, maskSecret, ReadOnly, ZodPipe } from "@hookstream/platform";
import type { Subscription } from "@hookstream/database";
import { SubscriptionStore } from "./subscription.store";

/** Standard Webhooks secrets: `whsec_` and the base64 of 24 to 64 random bytes. */
const destinationSecret = z.string().refine((s) => {
  const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(s);
  if (!m) return false;
  const n = Buffer.from(m[1]!, "base64").length;
  return n >= 24 && n <= 64;
}, "must be whsec_ followed by the base64 of 24 to 64 bytes");

const key = z.object({
  workspaceId: z.string().min(1).max(128),
  source: WebhookSource,
  /** `owner/repo`, `*` for every resource. */
  resource: z.string().min(1).max(512),
});

const createBody = key.extend({
  destinationUrl: z.url({ protocol: /^https?$/ }).optional(),
  destinationSecret: destinationSecret.optional(),
});

const listQuery = z.object({ workspaceId: z.string().optional(), source: WebhookSource.optional() });

const view = (s: Subscription, secretShownOnce?: string) => ({
  id: s.id,
  workspaceId: s.workspaceId,
  source: s.source,
  resource: s.resource,
  destinationUrl: s.destinationUrl,
  destinationSecret: secretShownOnce ?? maskSecret(s.destinationSecret),
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

@Controller("admin/subscriptions")
@UseGuards(AdminGuard)
export class SubscriptionsController {
  constructor(
    private readonly store: SubscriptionStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  /** A destination without a secret gets a generated one, shown in this answer only. */
  @Post()
  @HttpCode(201)
  async create(@Body(new ZodPipe(createBody)) body: z.infer<typeof createBody>) {
    const generated = body.destinationUrl && !body.destinationSecret ? `whsec_${randomBytes(32).toString("base64")}` : undefined;
    const saved = await this.store.upsert({ ...body, destinationSecret: body.destinationSecret ?? generated ?? null });
    this.announce();
    return view(saved, generated);
  }

  @Get()
  @ReadOnly()
  async list(@Query(new ZodPipe(listQuery)) query: z.infer<typeof listQuery>) {
    return { items: (await this.store.list(query)).map((s) => view(s)) };
  }

  @Delete()
  @HttpCode(204)
  async removeByKey(@Body(new ZodPipe(key)) body: z.infer<typeof key>) {
    if (!(await this.store.remove(body))) throw new NotFoundException({ code: "not_found", message: "no such subscription" });
    this.announce();
  }

  @Delete(":id")
  @HttpCode(204)
  async removeById(@Param("id", new ParseUUIDPipe()) id: string) {
    if (!(await this.store.remove({ id }))) throw new NotFoundException({ code: "not_found", message: "no such subscription" });
    this.announce();
  }

  /** Tells every router replica that subscriptions changed (they read PostgreSQL per event for now). */
  private announce() {
    this.nc.publish(SUBJECTS.subscriptionsChanged);
  }
}
