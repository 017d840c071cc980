import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { freePort } from "./free-port";
import { startNatsProcess, type TestNats } from "./nats-server";
import { natsServerBinary } from "./test-env";

/** One node of a test cluster: a TestNats that also has the server name JetStream reports (`cluster.leader`). */
export interface TestNatsNode extends TestNats {
  name: string;
}

/** A JetStream cluster on loopback: `url` lists every node, as NATS_URL does. */
export interface TestNatsCluster {
  url: string;
  nodes: TestNatsNode[];
  /** The node JetStream calls `name` (a stream's `cluster.leader`). */
  node(name: string): TestNatsNode;
  destroy(): Promise<void>;
}

/** Clusters started and not destroyed yet, so an interrupted runner can remove them all. */
export const runningClusters = new Set<TestNatsCluster>();

/** Waits until JetStream answers through `url`: in a cluster, once its nodes have elected a meta leader. */
export async function waitForJetStream(url: string, timeoutMs = 30_000): Promise<void> {
  const nc = await connect({ servers: url.split(","), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  try {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        await (await jetstreamManager(nc, { timeout: 2000 })).getAccountInfo();
        return;
      } catch (e) {
        if (Date.now() > until) throw new Error(`JetStream at ${url} not available after ${timeoutMs} ms: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await nc.close();
  }
}

/**
 * `size` nats-servers clustered over loopback routes, each with JetStream and a store of its own, so streams can
 * have `size` replicas; each node is killed and restarted on its store like a single test server.
 */
export async function startNatsCluster(size = 3): Promise<TestNatsCluster> {
  const bin = natsServerBinary();
  if (!bin) throw new Error("a NATS cluster needs the nats-server binary (NATS_SERVER_BIN)");
  const specs = [];
  for (let i = 1; i <= size; i++) specs.push({ name: `hs-n${i}`, port: await freePort(), clusterPort: await freePort() });
  const routes = specs.map((s) => `nats://127.0.0.1:${s.clusterPort}`).join(",");
  const nodes: TestNatsNode[] = [];
  try {
    for (const s of specs) {
      const store = mkdtempSync(join(tmpdir(), `hookstream-nats-${s.name}-`));
      const args = ["--server_name", s.name, "--cluster_name", "hookstream-test", "--cluster", `nats://127.0.0.1:${s.clusterPort}`, "--routes", routes];
      nodes.push({ name: s.name, ...(await startNatsProcess(bin, s.port, store, args)) });
    }
    const url = nodes.map((n) => n.url).join(",");
    await waitForJetStream(url);
    const cluster: TestNatsCluster = {
      url,
      nodes,
      node: (name) => {
        const n = nodes.find((x) => x.name === name);
        if (!n) throw new Error(`no node ${name} (there are ${nodes.map((x) => x.name).join(", ")})`);
        return n;
      },
      destroy: async () => {
        runningClusters.delete(cluster);
        await Promise.all(nodes.map((n) => n.destroy()));
      },
    };
    runningClusters.add(cluster);
    return cluster;
  } catch (e) {
    await Promise.all(nodes.map((n) => n.destroy()));
    throw e;
  }
}
