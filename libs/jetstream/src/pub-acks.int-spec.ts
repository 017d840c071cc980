import { connect } from "@nats-io/transport-node";
import { headers, type NatsConnection } from "@nats-io/nats-core";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer, type TestNats } from "@hookstream/testing";
import { PubAcks } from "./pub-acks";

let nats: TestNats;
let nc: NatsConnection;
const bytes = (s: string) => new TextEncoder().encode(s);
const withId = (id: string) => {
  const h = headers();
  h.set("Nats-Msg-Id", id);
  return h;
};

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "ACKED", subjects: ["acked.>"], duplicate_window: 60e9 });
});

afterAll(async () => {
  await nc?.close();
  await nats?.destroy();
});

describe("PubAcks", () => {
  it("resolves each publish with its own PubAck, a repeated Nats-Msg-Id as a duplicate of the first", async () => {
    const acks = new PubAcks(nc);
    const all = await Promise.all(Array.from({ length: 500 }, (_, i) => acks.publish(`acked.${i % 7}`, bytes(`m${i}`), withId(`id-${i}`), 5000)));
    expect(all.map((a) => a.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(all.every((a) => a.stream === "ACKED" && !a.duplicate)).toBe(true);

    const again = await acks.publish("acked.0", bytes("m0"), withId("id-0"), 5000);
    expect(again).toMatchObject({ stream: "ACKED", seq: all[0]!.seq, duplicate: true });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info("ACKED")).state.messages).toBe(500);
  });

  it("rejects a publish no stream stores, and one the stream refuses", async () => {
    const acks = new PubAcks(nc);
    await expect(acks.publish("nowhere.x", bytes("x"), headers(), 5000)).rejects.toThrow(/no responders/);
    const expectLast = headers();
    expectLast.set("Nats-Expected-Last-Sequence", "1");
    await expect(acks.publish("acked.x", bytes("x"), expectLast, 5000)).rejects.toThrow(/wrong last sequence/);
  });

  it("times out when no PubAck comes", async () => {
    const acks = new PubAcks(nc);
    // A plain subscriber that never answers stands in for a stream that does not acknowledge.
    const silent = nc.subscribe("silent.x");
    await nc.flush();
    const timedOut = await acks.publish("silent.x", bytes("x"), headers(), 300).catch((e: Error) => e);
    expect(timedOut).toMatchObject({ name: "TimeoutError" });
    silent.unsubscribe();
  });
});
