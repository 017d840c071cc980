import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port";
import { natsServerBinary } from "./test-env";

/** A private JetStream server for one test file: its own port and store, stoppable and restartable. */
export interface TestNats {
  url: string;
  port: number;
  /** Restarts on the same port and store, as after a crash. */
  start(): Promise<void>;
  /** SIGKILL: nothing flushed, nothing said goodbye. */
  kill(): Promise<void>;
  /** Stops and removes the store. */
  destroy(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

async function waitFor(cond: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startWithTestcontainers(): Promise<TestNats> {
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer("nats:2.9-alpine").withCommand(["-js"]).withExposedPorts(4222).withWaitStrategy(Wait.forLogMessage(/Server is ready/)).start();
  const port = container.getMappedPort(4222);
  return {
    url: `nats://${container.getHost()}:${port}`,
    port,
    start: async () => {
      await container.restart();
    },
    kill: async () => {
      await container.stop({ timeout: 0 });
    },
    destroy: async () => {
      await container.stop();
    },
  };
}

export async function startNatsServer(): Promise<TestNats> {
  const bin = natsServerBinary();
  if (!bin) return startWithTestcontainers();
  return startNatsProcess(bin, await freePort(), mkdtempSync(join(tmpdir(), "hookstream-nats-")));
}

/** A nats-server with JetStream on `port` and the store `store` (removed by `destroy`), plus `args` (cluster options). */
export async function startNatsProcess(bin: string, port: number, store: string, args: string[] = []): Promise<TestNats> {
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(bin, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", store, ...args], { stdio: "ignore" });
    await waitFor(() => portOpen(port), `nats-server on port ${port}`);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
    await waitFor(async () => !(await portOpen(port)), `port ${port} to close`);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    start,
    kill,
    destroy: async () => {
      await kill();
      rmSync(store, { recursive: true, force: true });
    },
  };
}
