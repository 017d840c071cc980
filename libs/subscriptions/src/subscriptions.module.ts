import { type DynamicModule, Module } from "@nestjs/common";
import { TypeOrmModule } from "@nestjs/typeorm";
import { Subscription } from "@hookstream/database";
import { ADMIN_TOKENS, type AdminTokens } from "@hookstream/platform";
import { Keyring } from "@hookstream/secrets";
import { DestinationReader } from "./destination.reader";
import { PlaintextSecretsSealer } from "./plaintext-secrets.sealer";
import { SubscriptionAnnouncer } from "./subscription.announcer";
import { SubscriptionStore } from "./subscription.store";
import { SubscriptionsController } from "./subscriptions.controller";

export interface SubscriptionsOptions {
  keyring: Keyring;
  /** Serves `/admin/subscriptions` with these tokens, and encrypts secrets left in clear at start-up. */
  admin?: AdminTokens;
}

/** Subscriptions for any service: store, destinations, change announcements, and optionally the admin API. */
@Module({})
export class SubscriptionsModule {
  static forRoot(options: SubscriptionsOptions): DynamicModule {
    const admin = options.admin;
    return {
      module: SubscriptionsModule,
      imports: [TypeOrmModule.forFeature([Subscription])],
      controllers: admin ? [SubscriptionsController] : [],
      providers: [
        { provide: Keyring, useValue: options.keyring },
        SubscriptionStore,
        DestinationReader,
        SubscriptionAnnouncer,
        ...(admin ? [{ provide: ADMIN_TOKENS, useValue: admin }, PlaintextSecretsSealer] : []),
      ],
      exports: [SubscriptionStore, DestinationReader, SubscriptionAnnouncer],
    };
  }
}
