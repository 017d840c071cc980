export * from "./bounded-cache";
