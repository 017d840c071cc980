import { DataSource } from "typeorm";
import { dataSourceOptions } from "@hookstream/database";
import type { RotateKeyConfig } from "./rotate-key.config";
import { type ReencryptionReport, reencryptSecrets } from "./secret.reencryption";

/**
 * Re-encrypts every stored secret under HOOKSTREAM_ENCRYPTION_KEY. Services keep running meanwhile: the keys in
 * HOOKSTREAM_ENCRYPTION_KEY_PREVIOUS decrypt what is not done yet. Safe to run again; drop the previous key once
 * a run reports nothing failed.
 */
export async function rotateKey(config: RotateKeyConfig): Promise<ReencryptionReport> {
  const db = new DataSource(dataSourceOptions(config.databaseUrl, 1));
  await db.initialize();
  try {
    return await reencryptSecrets(db, config.keyring, "all");
  } finally {
    await db.destroy();
  }
}
