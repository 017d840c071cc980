import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { DataSource } from "typeorm";

export interface Destination {
  url: string | null;
  secret: string | null;
}

/** The subscription's current destination; null once the subscription was removed. */
@Injectable()
export class DestinationLookup {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(subscriptionId: string): Promise<Destination | null> {
    const rows: { destination_url: string | null; destination_secret: string | null }[] = await this.db.query(
      "SELECT destination_url, destination_secret FROM subscriptions WHERE id = $1",
      [subscriptionId],
    );
    const row = rows[0];
    return row ? { url: row.destination_url, secret: row.destination_secret } : null;
  }
}
