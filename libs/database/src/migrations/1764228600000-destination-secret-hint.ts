import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Destination secrets are stored encrypted (`enc:v1:…`, see libs/secrets); the masked form shown by the admin
 * API (`whsec_…abcd`) is kept beside them, so listing subscriptions never decrypts a secret.
 */
export class DestinationSecretHint1764228600000 implements MigrationInterface {
  name = "DestinationSecretHint1764228600000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscriptions ADD COLUMN destination_secret_hint text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscriptions DROP COLUMN destination_secret_hint`);
  }
}
