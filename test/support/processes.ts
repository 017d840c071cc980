export { buildServices, type ProcessService, ServiceProcesses } from "@hookstream/testing";
