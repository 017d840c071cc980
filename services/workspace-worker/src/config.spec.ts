import { ConfigError } from "@hookstream/platform";
import { testEncryptionKey } from "@hookstream/testing";
import { loadWorkerConfig as load } from "./config";

const HOOKSTREAM_ENCRYPTION_KEY = testEncryptionKey();
const loadWorkerConfig = (env: Record<string, string>) => load({ HOOKSTREAM_ENCRYPTION_KEY, ...env });

describe("loadWorkerConfig", () => {
  it("gives one workspace a quarter of the process by default, and breakers a short first open time", () => {
    expect(loadWorkerConfig({})).toMatchObject({ concurrency: 32, deliveryConcurrency: 32, workspaceConcurrency: 8, breaker: { failureThreshold: 5, openMs: 5000, maxOpenMs: 300_000 } });
    expect(loadWorkerConfig({ WORKER_CONCURRENCY: "2" }).workspaceConcurrency).toBe(1);
    expect(loadWorkerConfig({ WORKER_CONCURRENCY: "8", WORKSPACE_CONCURRENCY: "8", BREAKER_OPEN_FOR: "1s", BREAKER_MAX_OPEN: "1s" })).toMatchObject({
      workspaceConcurrency: 8,
      breaker: { openMs: 1000, maxOpenMs: 1000 },
    });
  });

  it("refuses a workspace share above the process's, and a maximum open time below the first", () => {
    expect(() => loadWorkerConfig({ WORKER_CONCURRENCY: "4", WORKSPACE_CONCURRENCY: "5" })).toThrow(/WORKSPACE_CONCURRENCY: must not exceed WORKER_CONCURRENCY/);
    expect(() => loadWorkerConfig({ WORKER_CONCURRENCY: "4", DELIVERY_CONCURRENCY: "5" })).toThrow(/DELIVERY_CONCURRENCY: must not exceed WORKER_CONCURRENCY/);
    expect(loadWorkerConfig({ WORKER_CONCURRENCY: "256", DELIVERY_CONCURRENCY: "64" })).toMatchObject({ concurrency: 256, deliveryConcurrency: 64 });
    expect(() => loadWorkerConfig({ BREAKER_OPEN_FOR: "10m" })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ BREAKER_FAILURES: "0" })).toThrow(/BREAKER_FAILURES/);
  });

  it("reads the disabled job handlers as a list of names", () => {
    expect(loadWorkerConfig({}).disabledHandlers).toEqual([]);
    expect(loadWorkerConfig({ JOB_HANDLERS_DISABLED: " workspace-activity, cache-invalidation ,," }).disabledHandlers).toEqual(["workspace-activity", "cache-invalidation"]);
  });

  it("requires HOOKSTREAM_ENCRYPTION_KEY: the worker decrypts destination secrets to sign deliveries", () => {
    expect(() => load({})).toThrow(/HOOKSTREAM_ENCRYPTION_KEY: is required/);
    expect(loadWorkerConfig({}).keyring.kids).toHaveLength(1);
  });
});
