export * from "./destination.reader";
export * from "./secret.reencryption";
export * from "./subscription-rule";
export * from "./subscription.announcer";
export * from "./subscription.store";
export * from "./subscriptions.module";
export * from "./rotate-key";
export * from "./rotate-key.config";
