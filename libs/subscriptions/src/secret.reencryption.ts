import type { DataSource } from "typeorm";
import { CIPHERTEXT_PREFIX, isEncrypted, type Keyring, maskSecret, SecretError } from "@hookstream/secrets";

export interface ReencryptionReport {
  /** Re-encrypted under the current key (plaintext or an older key before). */
  reencrypted: number;
  /** Already under the current key: nothing to do. */
  current: number;
  /** Under a key the keyring does not hold, or altered: left as they are. */
  failed: number;
  /** Changed by someone else (a secret rotated) between reading and writing: theirs is kept. */
  skipped: number;
}

/**
 * `plaintext`: only rows stored before encryption existed (run at start-up). `all`: every secret not under the
 * current key (`secrets:rotate-key`). Idempotent and safe beside running services: rows are read in pages by id
 * and each is written only if it still holds what was read.
 */
export async function reencryptSecrets(db: DataSource, keyring: Keyring, scope: "plaintext" | "all", pageSize = 500): Promise<ReencryptionReport> {
  const report: ReencryptionReport = { reencrypted: 0, current: 0, failed: 0, skipped: 0 };
  const current = `${CIPHERTEXT_PREFIX}${keyring.current.kid}:%`;
  [{ n: report.current }] = (await db.query(`SELECT count(*)::int AS n FROM subscriptions WHERE destination_secret LIKE $1`, [current])) as [{ n: number }];
  const skip = scope === "plaintext" ? `${CIPHERTEXT_PREFIX.slice(0, 4)}%` : current;
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const rows: { id: string; destination_secret: string }[] = await db.query(
      `SELECT id, destination_secret FROM subscriptions
        WHERE destination_secret IS NOT NULL AND destination_secret NOT LIKE $1 AND id > $2 ORDER BY id LIMIT $3`,
      [skip, after, pageSize],
    );
    if (rows.length === 0) return report;
    for (const row of rows) {
      let plaintext: string;
      try {
        plaintext = isEncrypted(row.destination_secret) ? keyring.decrypt(row.destination_secret) : row.destination_secret;
      } catch (e) {
        if (!(e instanceof SecretError)) throw e;
        report.failed++;
        continue;
      }
      const [, updated] = (await db.query(
        `UPDATE subscriptions SET destination_secret = $3, destination_secret_hint = $4 WHERE id = $1 AND destination_secret = $2`,
        [row.id, row.destination_secret, keyring.encrypt(plaintext), maskSecret(plaintext)],
      )) as [unknown, number];
      if (updated) report.reencrypted++;
      else report.skipped++;
    }
    after = rows[rows.length - 1]!.id;
  }
}
