export * from "./cipher";
export * from "./config";
export * from "./errors";
export * from "./keyring";
export * from "./mask";
