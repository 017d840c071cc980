import { Injectable } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import { Subscription } from "@hookstream/database";
import type { Repository } from "typeorm";
import type { MatchedSubscription } from "./fanout.planner";

export interface SubscriptionInput {
  workspaceId: string;
  source: string;
  resource: string;
  destinationUrl?: string | null;
  destinationSecret?: string | null;
}

/** Subscriptions in PostgreSQL: the router's configuration. */
@Injectable()
export class SubscriptionStore {
  constructor(@InjectRepository(Subscription) private readonly repo: Repository<Subscription>) {}

  /** Exact resource matches and `*` subscriptions of the source. */
  async matching(source: string, resource: string | null): Promise<MatchedSubscription[]> {
    const resources = resource ? [resource, "*"] : ["*"];
    return this.repo
      .createQueryBuilder("s")
      .select(["s.id", "s.workspaceId", "s.resource"])
      .where("s.source = :source AND s.resource IN (:...resources)", { source, resources })
      .getMany();
  }

  /** Creates or replaces the subscription of a workspace to a resource. */
  async upsert(input: SubscriptionInput): Promise<Subscription> {
    await this.repo.upsert(
      {
        workspaceId: input.workspaceId,
        source: input.source,
        resource: input.resource,
        destinationUrl: input.destinationUrl ?? null,
        destinationSecret: input.destinationSecret ?? null,
      },
      { conflictPaths: ["workspaceId", "source", "resource"] },
    );
    return this.withSecret()
      .where("s.workspaceId = :w AND s.source = :s AND s.resource = :r", { w: input.workspaceId, s: input.source, r: input.resource })
      .getOneOrFail();
  }

  async remove(where: { id: string } | { workspaceId: string; source: string; resource: string }): Promise<boolean> {
    const result = await this.repo.delete(where);
    return (result.affected ?? 0) > 0;
  }

  list(filter: { workspaceId?: string; source?: string }): Promise<Subscription[]> {
    const q = this.withSecret().orderBy("s.createdAt", "ASC").take(1000);
    if (filter.workspaceId) q.andWhere("s.workspaceId = :w", { w: filter.workspaceId });
    if (filter.source) q.andWhere("s.source = :s", { s: filter.source });
    return q.getMany();
  }

  /** The secret is not selected by default, so it cannot leak by accident; views mask it. */
  private withSecret() {
    return this.repo.createQueryBuilder("s").addSelect("s.destinationSecret");
  }
}
