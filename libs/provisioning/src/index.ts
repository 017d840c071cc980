export * from "./config";
export * from "./provision";
