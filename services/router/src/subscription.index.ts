import { resourceKeys, type SubscriptionRule } from "@hookstream/subscriptions";

/**
 * Subscriptions by source and resource pattern, so routing an event is a few map look-ups. Holds at most
 * `maxRules`; past that `replace` refuses and the caller falls back to querying PostgreSQL.
 */
export class SubscriptionIndex {
  private bySourceAndKey = new Map<string, SubscriptionRule[]>();
  private count = 0;

  constructor(readonly maxRules: number) {}

  get size(): number {
    return this.count;
  }

  /** Swaps in a complete set of rules; false (and unchanged) when there are more than maxRules. */
  replace(rules: SubscriptionRule[]): boolean {
    if (rules.length > this.maxRules) return false;
    const next = new Map<string, SubscriptionRule[]>();
    for (const r of rules) {
      const key = `${r.source}\u0000${r.resource}`;
      const list = next.get(key);
      if (list) list.push(r);
      else next.set(key, [r]);
    }
    this.bySourceAndKey = next;
    this.count = rules.length;
    return true;
  }

  candidates(source: string, resource: string | null): SubscriptionRule[] {
    return resourceKeys(resource).flatMap((k) => this.bySourceAndKey.get(`${source}\u0000${k}`) ?? []);
  }
}
