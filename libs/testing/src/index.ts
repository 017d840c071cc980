export * from "./free-port";
export * from "./nats-server";
export * from "./database";
export * from "./destination";
export * from "./http-server";
export * from "./test-env";
export * from "./chaos";
