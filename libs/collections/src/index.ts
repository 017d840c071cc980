export * from "./bounded-cache";
export * from "./micro-batcher";
