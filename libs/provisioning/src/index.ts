export * from "./config";
export * from "./provision";
export * from "./report";
