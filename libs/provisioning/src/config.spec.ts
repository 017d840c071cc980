import { ConfigError } from "@hookstream/platform";
import { loadProvisionConfig, retrySpanMs } from "./config";

const DAY = 86_400_000;
const load = (env: Record<string, string> = {}) => loadProvisionConfig(env);

describe("stream retention from configuration", () => {
  it("keeps WEBHOOKS 30 days, JOBS and JOB_EVENTS 7, ADVISORIES 30, with no byte limit, by default", () => {
    const { limits } = load();
    expect(limits.WEBHOOKS).toEqual({ maxAgeMs: 30 * DAY, maxBytes: -1, replicas: 1 });
    expect(limits.JOBS).toEqual({ maxAgeMs: 7 * DAY, maxBytes: -1, replicas: 1 });
    expect(limits.JOB_EVENTS).toEqual({ maxAgeMs: 7 * DAY, maxBytes: -1, replicas: 1 });
    expect(limits.ADVISORIES).toEqual({ maxAgeMs: 30 * DAY, maxBytes: -1, replicas: 1 });
  });

  it("reads every stream's max age as a duration and max bytes with units", () => {
    const { limits } = load({
      WEBHOOKS_MAX_AGE: "14d",
      WEBHOOKS_MAX_BYTES: "10GiB",
      JOBS_MAX_AGE: "3d",
      JOBS_MAX_BYTES: "512MiB",
      JOB_EVENTS_MAX_AGE: "36h",
      JOB_EVENTS_MAX_BYTES: "1000000",
      ADVISORIES_MAX_AGE: "90d",
      ADVISORIES_MAX_BYTES: "1GB",
      STREAM_REPLICAS: "3",
    });
    expect(limits.WEBHOOKS).toEqual({ maxAgeMs: 14 * DAY, maxBytes: 10 * 2 ** 30, replicas: 3 });
    expect(limits.JOBS).toEqual({ maxAgeMs: 3 * DAY, maxBytes: 512 * 2 ** 20, replicas: 3 });
    expect(limits.JOB_EVENTS).toEqual({ maxAgeMs: 36 * 3_600_000, maxBytes: 1_000_000, replicas: 3 });
    expect(limits.ADVISORIES).toEqual({ maxAgeMs: 90 * DAY, maxBytes: 1e9, replicas: 3 });
    // Streams without variables keep their defaults, with the configured replicas.
    expect(limits.SUBSCRIPTIONS).toEqual({ maxAgeMs: 365 * DAY, maxBytes: -1, replicas: 3 });
  });

  it.each([
    [{ WEBHOOKS_MAX_AGE: "30" }, /WEBHOOKS_MAX_AGE: must be at least 1s/],
    [{ JOBS_MAX_AGE: "a week" }, /JOBS_MAX_AGE: "a week" is not a duration/],
    [{ ADVISORIES_MAX_BYTES: "0" }, /ADVISORIES_MAX_BYTES: .*at least 1 byte/],
    [{ JOB_EVENTS_MAX_BYTES: "lots" }, /JOB_EVENTS_MAX_BYTES: "lots" is not a size/],
    [{ WEBHOOKS_MAX_AGE_DAYS: "30" }, /WEBHOOKS_MAX_AGE_DAYS: was renamed: set WEBHOOKS_MAX_AGE=30d instead/],
  ])("refuses %j, naming the variable", (env, message) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(message);
  });

  it("refuses a max age a message could outlive while it is still being retried", () => {
    // 3 deliveries, each with a 1h deadline: a job may still be delivered 3h after it was queued.
    expect(() => load({ JOB_MAX_DELIVER: "3", JOB_BACKOFF: "1h", JOBS_MAX_AGE: "3h" })).toThrow(/JOBS_MAX_AGE: must exceed the 3h that JOB_MAX_DELIVER/);
    expect(load({ JOB_MAX_DELIVER: "3", JOB_BACKOFF: "1h", JOBS_MAX_AGE: "4h" }).limits.JOBS.maxAgeMs).toBe(4 * 3_600_000);
    expect(() => load({ WEBHOOKS_MAX_AGE: "1h" })).toThrow(/WEBHOOKS_MAX_AGE: must exceed the .* ROUTER_MAX_DELIVER deliveries with ROUTER_BACKOFF/);
  });
});

describe("retrySpanMs", () => {
  it("adds every delivery's deadline, the last backoff value standing for the deliveries past the list", () => {
    expect(retrySpanMs(6, [5000, 30_000, 120_000, 600_000, 3_600_000])).toBe(5000 + 30_000 + 120_000 + 600_000 + 2 * 3_600_000);
    expect(retrySpanMs(2, [1000, 2000, 3000])).toBe(3000);
    expect(retrySpanMs(5, [])).toBe(0);
  });
});
