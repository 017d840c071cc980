export * from "./data-source";
export * from "./database.module";
export * from "./entities/subscription.entity";
export * from "./entities/dead-letter.entity";
