import type { MigrationInterface, QueryRunner } from "typeorm";

/** Event-type and action filters on subscriptions (null: everything). */
export class SubscriptionFilters1764208800000 implements MigrationInterface {
  name = "SubscriptionFilters1764208800000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscriptions ADD COLUMN event_types text[], ADD COLUMN actions text[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscriptions DROP COLUMN event_types, DROP COLUMN actions`);
  }
}
