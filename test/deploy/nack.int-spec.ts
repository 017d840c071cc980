/**
 * streams.managedBy=nack must render exactly what the provisioning Job applies: the same plan provision() uses,
 * for the Job's own environment, so a stream or consumer added to the contracts or to libs/provisioning without
 * the chart following fails this test.
 */
import type { BucketDefinition, ConsumerSpec, StreamDefinition } from "@hookstream/contracts";
import { jetstreamPlan, loadProvisionConfig } from "@hookstream/provisioning";
import { byKind, goDurationNs, helmTemplate, type K8sObject, schemaProblems } from "./support/k8s";
import { envOf, mainContainer, workloadProblems } from "./support/workloads";

/** What provisioning would apply for the given environment. */
async function provisioned(env: Record<string, string>): Promise<{ streams: StreamDefinition[]; consumers: ConsumerSpec[]; buckets: BucketDefinition[] }> {
  return jetstreamPlan(loadProvisionConfig(env));
}

function jobEnv(objects: K8sObject[]): Record<string, string> {
  const [job] = byKind(objects, "Job");
  const env: Record<string, string> = { DATABASE_URL: "postgres://hookstream@db:5432/hookstream" };
  for (const e of mainContainer(job!).env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  return env;
}

describe.each([
  ["defaults", [] as string[]],
  ["custom schedules", ["--set", "streams.replicas=1", "--set", "streams.jobs.maxDeliver=9", "--set", "streams.jobs.backoff=1s\\,10s\\,1m", "--set", "streams.routing.maxAckPending=64", "--set", "streams.webhooks.maxAge=14d", "--set", "streams.jobs.maxAge=36h", "--set", "streams.jobEvents.maxBytes=1048576", "--set", "streams.advisories.maxAge=90s"]],
])("streams.managedBy=nack with %s", (_label, extra) => {
  let objects: K8sObject[];
  let wanted: { streams: StreamDefinition[]; consumers: ConsumerSpec[]; buckets: BucketDefinition[] };
  beforeAll(async () => {
    objects = helmTemplate(["--set", "streams.managedBy=nack", ...extra]);
    wanted = await provisioned(jobEnv(objects));
  });

  it("renders valid objects and tells the Job to leave JetStream to NACK", () => {
    expect(schemaProblems(objects)).toEqual([]);
    expect(workloadProblems(objects)).toEqual([]);
    const [job] = byKind(objects, "Job");
    expect(envOf(mainContainer(job!), "PROVISION_JETSTREAM")?.value).toBe("false");
    for (const o of [...byKind(objects, "Stream"), ...byKind(objects, "Consumer"), ...byKind(objects, "KeyValue")]) expect(o.apiVersion).toBe("jetstream.nats.io/v1beta2");
  });

  it("renders one Stream per provisioned stream, with the same configuration", () => {
    const streams = byKind(objects, "Stream");
    expect(streams.map((s) => s.spec.name).sort()).toEqual(wanted.streams.map((s) => s.name).sort());
    for (const want of wanted.streams) {
      const got = streams.find((s) => s.spec.name === want.name)!.spec;
      const actual = {
        subjects: got.subjects,
        retention: got.retention,
        storage: got.storage,
        discard: got.discard,
        max_age: goDurationNs(got.maxAge),
        max_bytes: got.maxBytes,
        num_replicas: got.replicas,
        duplicate_window: goDurationNs(got.duplicateWindow),
      };
      const expected = Object.fromEntries(Object.keys(actual).map((k) => [k, want[k as keyof StreamDefinition]]));
      expect({ stream: want.name, ...actual }).toEqual({ stream: want.name, ...expected });
      expect(got.preventDelete).toBe(true);
    }
  });

  it("renders one Consumer per provisioned consumer, with the same configuration", () => {
    const consumers = byKind(objects, "Consumer");
    expect(consumers.map((c) => `${c.spec.streamName}>${c.spec.durableName}`).sort()).toEqual(
      wanted.consumers.map((c) => `${c.stream}>${c.config.durable_name}`).sort(),
    );
    for (const want of wanted.consumers) {
      const got = consumers.find((c) => c.spec.durableName === want.config.durable_name && c.spec.streamName === want.stream)!.spec;
      const actual = {
        filter_subject: got.filterSubject,
        ack_policy: got.ackPolicy,
        deliver_policy: got.deliverPolicy,
        replay_policy: got.replayPolicy,
        max_deliver: got.maxDeliver,
        ack_wait: goDurationNs(got.ackWait),
        backoff: (got.backoff as string[] | undefined)?.map(goDurationNs),
        max_ack_pending: got.maxAckPending,
      };
      const expected = Object.fromEntries(Object.keys(actual).map((k) => [k, want.config[k as keyof typeof want.config]]));
      expect({ consumer: want.config.durable_name, ...actual }).toEqual({ consumer: want.config.durable_name, ...expected });
    }
  });

  it("renders one KeyValue per provisioned bucket, with the same configuration", () => {
    const buckets = byKind(objects, "KeyValue").map((o) => ({
      name: o.spec.bucket,
      ttlMs: goDurationNs(o.spec.ttl) / 1e6,
      history: o.spec.history,
      replicas: o.spec.replicas,
    }));
    expect(buckets).toEqual(wanted.buckets);
  });
});
