export * from "./cluster-leader";
export * from "./replicas";
