export * from "./streams";
export * from "./consumers";
export * from "./headers";
export * from "./errors";
export * from "./envelopes";
export * from "./cache";
export * from "./buckets";
