import { z } from "zod";
import { natsServers } from "@hookstream/jetstream";
import { loadConfig, natsEndpoint, natsEnv } from "./config";

const schema = z.object(natsEnv).transform(natsEndpoint);

describe("NATS_URL", () => {
  it("takes one URL, or a cluster's seed URLs separated by commas", () => {
    expect(loadConfig(schema, {}).url).toBe("nats://127.0.0.1:4222");
    const cluster = loadConfig(schema, { NATS_URL: "nats://127.0.0.1:4301, nats://127.0.0.1:4302,tls://nats-3:4222" });
    expect(natsServers(cluster.url)).toEqual(["nats://127.0.0.1:4301", "nats://127.0.0.1:4302", "tls://nats-3:4222"]);
  });

  it.each(["", "127.0.0.1:4222", "nats://a:4222,http://b:4222", ",", "nats://a:4222,not a url"])("refuses %j, naming the variable", (value) => {
    expect(() => loadConfig(schema, { NATS_URL: value })).toThrow(/NATS_URL: must be a nats:\/\/, tls:\/\/ or ws\(s\):\/\/ URL/);
  });
});
