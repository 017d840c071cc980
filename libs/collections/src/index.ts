export * from "./bounded-cache";
export * from "./micro-batcher";
export * from "./semaphore";
