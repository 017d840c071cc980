import { Body, ConflictException, Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Query, UseGuards } from "@nestjs/common";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { WebhookSource } from "@hookstream/contracts";
import type { Subscription } from "@hookstream/database";
import { AdminGuard, ReadOnly, ZodPipe } from "@hookstream/platform";
import { SubscriptionAnnouncer } from "./subscription.announcer";
import { type SubscriptionKey, SubscriptionStore } from "./subscription.store";

/** Standard Webhooks secrets: `whsec_` and the base64 of 24 to 64 random bytes. */
const destinationSecret = z.string().refine((s) => {
  const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(s);
  if (!m) return false;
  const n = Buffer.from(m[1]!, "base64").length;
  return n >= 24 && n <= 64;
}, "must be whsec_ followed by the base64 of 24 to 64 bytes");

const generateSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

const key = z.object({
  workspaceId: z.string().min(1).max(128),
  source: WebhookSource,
  /** `owner/repo`, `owner/*` for a whole account or organisation, `*` for every resource. */
  resource: z
    .string()
    .min(1)
    .max(512)
    .refine((r) => r === "*" || !r.slice(0, -2).includes("*"), "only `*` or a trailing `/*` may be a wildcard"),
});

const names = z.array(z.string().min(1).max(128)).min(1).max(100);

const createBody = key.extend({
  /** Only these event types, e.g. ["pull_request"]. */
  eventTypes: names.optional(),
  /** Only these actions, e.g. ["opened", "closed"]. */
  actions: names.optional(),
  destinationUrl: z.url({ protocol: /^https?$/ }).optional(),
  destinationSecret: destinationSecret.optional(),
});

const listQuery = z.object({ workspaceId: z.string().optional(), source: WebhookSource.optional() });

/** A secret appears in clear only in the answer that created it; every other view shows its masked form. */
const view = (s: Subscription, secretShownOnce?: string) => ({
  id: s.id,
  workspaceId: s.workspaceId,
  source: s.source,
  resource: s.resource,
  eventTypes: s.eventTypes,
  actions: s.actions,
  destinationUrl: s.destinationUrl,
  destinationSecret: secretShownOnce ?? s.destinationSecretHint,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

const notFound = () => new NotFoundException({ code: "not_found", message: "no such subscription" });

/** `/admin/subscriptions`, served by the router and by the DLQ manager (the console's origin). */
@Controller("admin/subscriptions")
@UseGuards(AdminGuard)
export class SubscriptionsController {
  constructor(
    private readonly store: SubscriptionStore,
    private readonly announcer: SubscriptionAnnouncer,
  ) {}

  /** A destination without a secret gets a generated one, shown in this answer only. */
  @Post()
  @HttpCode(201)
  async create(@Body(new ZodPipe(createBody)) body: z.infer<typeof createBody>) {
    const generated = body.destinationUrl && !body.destinationSecret ? generateSecret() : undefined;
    const saved = await this.store.upsert({ ...body, destinationSecret: body.destinationSecret ?? generated ?? null });
    await this.announcer.announce({ kind: "upserted", source: body.source, resource: body.resource, workspaceId: body.workspaceId, cause: "admin", affected: 1 });
    return view(saved, generated);
  }

  @Get()
  @ReadOnly()
  async list(@Query(new ZodPipe(listQuery)) query: z.infer<typeof listQuery>) {
    return { items: (await this.store.list(query)).map((s) => view(s)) };
  }

  /** A new generated secret, shown in this answer only; the next delivery is signed with it. */
  @Post(":id/rotate-secret")
  @HttpCode(200)
  async rotateSecret(@Param("id", new ParseUUIDPipe()) id: string) {
    const found = await this.store.find(id);
    if (!found) throw notFound();
    if (!found.destinationUrl) throw new ConflictException({ code: "no_destination", message: "this subscription has no destination to sign for" });
    const secret = generateSecret();
    const saved = await this.store.replaceSecret(id, secret);
    if (!saved) throw notFound();
    await this.announcer.announce({ kind: "upserted", source: WebhookSource.parse(saved.source), resource: saved.resource, workspaceId: saved.workspaceId, cause: "admin", affected: 1 });
    return view(saved, secret);
  }

  @Delete()
  @HttpCode(204)
  async removeByKey(@Body(new ZodPipe(key)) body: z.infer<typeof key>) {
    await this.remove(body);
  }

  @Delete(":id")
  @HttpCode(204)
  async removeById(@Param("id", new ParseUUIDPipe()) id: string) {
    await this.remove({ id });
  }

  private async remove(where: SubscriptionKey) {
    const removed = await this.store.remove(where);
    if (!removed) throw notFound();
    const source = WebhookSource.parse(removed.source);
    await this.announcer.announce({ kind: "removed", source, resource: removed.resource, workspaceId: removed.workspaceId, cause: "admin", affected: 1 });
  }
}
