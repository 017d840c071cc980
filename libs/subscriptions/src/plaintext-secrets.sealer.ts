import { Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";
import { Keyring } from "@hookstream/secrets";
import { reencryptSecrets } from "./secret.reencryption";

/**
 * Encrypts, at start-up, destination secrets stored in clear before encryption existed (or by an older replica
 * during a rolling upgrade). Idempotent: a start with nothing in clear changes nothing.
 */
@Injectable()
export class PlaintextSecretsSealer implements OnApplicationBootstrap {
  private readonly log = new Logger(PlaintextSecretsSealer.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly keyring: Keyring,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const report = await reencryptSecrets(this.db, this.keyring, "plaintext");
    if (report.reencrypted || report.failed) this.log.warn(`encrypted ${report.reencrypted} destination secrets stored in clear${report.failed ? `; ${report.failed} unreadable` : ""}`);
  }
}
