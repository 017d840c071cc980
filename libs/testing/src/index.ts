export * from "./free-port";
export * from "./nats-server";
export * from "./database";
export { testEncryptionKey } from "./test-env";
