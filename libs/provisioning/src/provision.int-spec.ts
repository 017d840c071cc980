/**
 * Upgrading a server provisioned by an earlier release, against a real nats-server: consumers whose settings changed
 * in the contracts are updated in place, under the same name and from where they were.
 */
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { CONSUMERS, STREAMS, SUBJECTS } from "@hookstream/contracts";
import { provisionJetStream } from "@hookstream/jetstream";
import { startNatsServer, type TestNats } from "@hookstream/testing";
import { loadProvisionConfig } from "./config";
import { jetstreamPlan } from "./provision";
import { describeUpdate } from "./report";

let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await nc?.close();
  await nats?.destroy();
});

/** Events the consumer is handed within a short wait, acknowledged. */
async function fetchSubjects(): Promise<string[]> {
  const consumer = await jetstream(nc).consumers.get(STREAMS.jobEvents, CONSUMERS.dlqOutcomes);
  const subjects: string[] = [];
  for await (const m of await consumer.fetch({ max_messages: 10, expires: 1000 })) {
    subjects.push(m.subject);
    m.ack();
  }
  return subjects;
}

describe("provisioning over an earlier release", () => {
  it("narrows the DLQ outcomes consumer to replays' events in place, keeping its position", async () => {
    const { streams, consumers } = jetstreamPlan(loadProvisionConfig({ NATS_URL: nats.url, DATABASE_URL: "postgres://unused@127.0.0.1/unused" }));
    // The earlier release handed it every job event, on `job-events.<kind>.<seq>`.
    const earlier = consumers.map((c) => (c.config.durable_name === CONSUMERS.dlqOutcomes ? { ...c, config: { ...c.config, filter_subject: SUBJECTS.jobEventsAll } } : c));
    await provisionJetStream(jsm, streams, earlier);
    const js = jetstream(nc);
    for (const subject of ["job-events.started.1", "job-events.succeeded.1"]) await js.publish(subject, "{}");
    expect(await fetchSubjects()).toEqual(["job-events.started.1", "job-events.succeeded.1"]);

    const report = await provisionJetStream(jsm, streams, consumers);
    expect(report.created).toEqual([]);
    expect(report.updated.map(describeUpdate)).toEqual([`consumer JOB_EVENTS > dlq-outcomes: filter_subject "job-events.>" → "job-events.replay.>"`]);
    expect((await jsm.consumers.info(STREAMS.jobEvents, CONSUMERS.dlqOutcomes)).config.filter_subject).toBe("job-events.replay.>");

    for (const subject of [SUBJECTS.jobEvent("live", "started", 2), SUBJECTS.jobEvent("replay", "succeeded", 3), SUBJECTS.jobEvent("live", "succeeded", 2)]) await js.publish(subject, "{}");
    expect(await fetchSubjects()).toEqual(["job-events.replay.succeeded.3"]);
    expect((await provisionJetStream(jsm, streams, consumers)).updated).toEqual([]);
  });
});
