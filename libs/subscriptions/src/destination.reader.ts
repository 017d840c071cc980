import { Injectable } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import type { Repository } from "typeorm";
import { Subscription } from "@hookstream/database";
import { isEncrypted, Keyring } from "@hookstream/secrets";

export interface Destination {
  url: string | null;
  /** The signing secret in clear: for signing one delivery, never to be logged or kept. */
  secret: string | null;
}

/** Where a subscription's jobs go: what the worker delivers to and what the DLQ manager records. */
@Injectable()
export class DestinationReader {
  constructor(
    @InjectRepository(Subscription) private readonly repo: Repository<Subscription>,
    private readonly keyring: Keyring,
  ) {}

  /** The destination with its secret decrypted, to sign a delivery; null once the subscription was removed. */
  async forDelivery(subscriptionId: string): Promise<Destination | null> {
    const row = await this.repo.findOne({ where: { id: subscriptionId }, select: { id: true, destinationUrl: true, destinationSecret: true } });
    if (!row) return null;
    const stored = row.destinationSecret;
    // A row written before encryption existed (until a router or DLQ manager start-up encrypts it) is still usable.
    const secret = stored === null ? null : isEncrypted(stored) ? this.keyring.decrypt(stored) : stored;
    return { url: row.destinationUrl, secret };
  }

  /** The destination URL only; null when none or the subscription was removed. */
  async urlOf(subscriptionId: string): Promise<string | null> {
    const row = await this.repo.findOne({ where: { id: subscriptionId }, select: { id: true, destinationUrl: true } });
    return row?.destinationUrl ?? null;
  }
}
