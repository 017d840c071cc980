import { Injectable } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import type { Repository } from "typeorm";
import { Subscription } from "@hookstream/database";
import { Keyring, maskSecret } from "@hookstream/secrets";
import { resourceKeys, type SubscriptionRule } from "./subscription-rule";

export interface SubscriptionInput {
  workspaceId: string;
  source: string;
  resource: string;
  eventTypes?: string[] | null;
  actions?: string[] | null;
  destinationUrl?: string | null;
  destinationSecret?: string | null;
}

export type SubscriptionKey = { id: string } | { workspaceId: string; source: string; resource: string };

const RULE_COLUMNS = ["s.id", "s.workspaceId", "s.source", "s.resource", "s.eventTypes", "s.actions"];

/**
 * Subscriptions in PostgreSQL: the router's configuration and the workers' destinations. Secrets are encrypted
 * here, on the way in; what is read back carries only their masked form (see DestinationReader for delivery).
 */
@Injectable()
export class SubscriptionStore {
  constructor(
    @InjectRepository(Subscription) private readonly repo: Repository<Subscription>,
    private readonly keyring: Keyring,
  ) {}

  /** Every rule, for the router's in-memory index; at most `limit` (the caller detects overflow). */
  async allRules(limit: number): Promise<SubscriptionRule[]> {
    return this.repo.createQueryBuilder("s").select(RULE_COLUMNS).orderBy("s.id").take(limit).getMany();
  }

  /** The rules that could match a resource (exact, `owner/*`, `*`): the fallback when the index is off. */
  async candidates(source: string, resource: string | null): Promise<SubscriptionRule[]> {
    return this.repo
      .createQueryBuilder("s")
      .select(RULE_COLUMNS)
      .where("s.source = :source AND s.resource IN (:...keys)", { source, keys: resourceKeys(resource) })
      .getMany();
  }

  /** Creates or replaces the subscription of a workspace to a resource. */
  async upsert(input: SubscriptionInput): Promise<Subscription> {
    await this.repo.upsert(
      {
        workspaceId: input.workspaceId,
        source: input.source,
        resource: input.resource,
        eventTypes: input.eventTypes ?? null,
        actions: input.actions ?? null,
        destinationUrl: input.destinationUrl ?? null,
        ...this.sealed(input.destinationSecret ?? null),
      },
      { conflictPaths: ["workspaceId", "source", "resource"] },
    );
    return this.repo.findOneByOrFail({ workspaceId: input.workspaceId, source: input.source, resource: input.resource });
  }

  /** Replaces the destination secret; null when there is no such subscription. */
  async replaceSecret(id: string, secret: string): Promise<Subscription | null> {
    const { affected } = await this.repo.update({ id }, this.sealed(secret));
    return affected ? this.repo.findOneBy({ id }) : null;
  }

  find(id: string): Promise<Subscription | null> {
    return this.repo.findOneBy({ id });
  }

  async remove(where: SubscriptionKey): Promise<Subscription | null> {
    const found = await this.repo.findOneBy(where);
    if (!found) return null;
    await this.repo.delete({ id: found.id });
    return found;
  }

  /** Every subscription to `resource` of `source` (any workspace), e.g. when the repository is deleted. */
  async removeResource(source: string, resource: string): Promise<number> {
    return (await this.repo.delete({ source, resource })).affected ?? 0;
  }

  /**
   * Follows a renamed or transferred resource. A workspace already subscribed under the new name keeps that
   * subscription; its old one goes.
   */
  async renameResource(source: string, from: string, to: string): Promise<number> {
    return this.repo.manager.transaction(async (tx) => {
      await tx.query(
        `DELETE FROM subscriptions o WHERE o.source = $1 AND o.resource = $2
           AND EXISTS (SELECT 1 FROM subscriptions n WHERE n.source = $1 AND n.resource = $3 AND n.workspace_id = o.workspace_id)`,
        [source, from, to],
      );
      const [, affected] = (await tx.query(`UPDATE subscriptions SET resource = $3, updated_at = now() WHERE source = $1 AND resource = $2`, [source, from, to])) as [unknown, number];
      return affected;
    });
  }

  list(filter: { workspaceId?: string; source?: string }): Promise<Subscription[]> {
    const q = this.repo.createQueryBuilder("s").orderBy("s.createdAt", "ASC").take(1000);
    if (filter.workspaceId) q.andWhere("s.workspaceId = :w", { w: filter.workspaceId });
    if (filter.source) q.andWhere("s.source = :s", { s: filter.source });
    return q.getMany();
  }

  private sealed(secret: string | null): Pick<Subscription, "destinationSecret" | "destinationSecretHint"> {
    return { destinationSecret: secret === null ? null : this.keyring.encrypt(secret), destinationSecretHint: maskSecret(secret) };
  }
}
