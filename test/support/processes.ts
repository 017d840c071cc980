import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "./eventually";

const root = join(__dirname, "..", "..");

/** Compiles the services into a private folder, as `npm start` runs them (instrumented by OpenTelemetry). */
export function buildServices(): { dir: string; remove: () => void } {
  const dir = join(".build", `test-${randomBytes(4).toString("hex")}`);
  const r = spawnSync(process.execPath, ["scripts/build.mjs", "--out", dir], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr || r.stdout}`);
  return { dir: join(root, dir), remove: () => rmSync(join(root, dir), { recursive: true, force: true }) };
}

export type ProcessService = "ingress" | "router" | "workspace-worker" | "dlq-manager";

/** The four services as real processes, each startable, stoppable with a signal, and restartable. */
export class ServiceProcesses {
  private readonly children = new Map<ProcessService, ChildProcess>();
  readonly output = new Map<ProcessService, string[]>();

  constructor(
    private readonly distDir: string,
    /** Read at each start: a test may change it before restarting a service. */
    readonly env: Record<string, string>,
    private readonly ports: Record<ProcessService, number>,
  ) {}

  async start(service: ProcessService): Promise<void> {
    const child = spawn(process.execPath, [join(this.distDir, "services", service, "src", "main.js")], {
      env: { PATH: process.env.PATH ?? "", ...this.env, OTEL_SERVICE_NAME: `hookstream-${service}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    this.output.set(service, lines);
    child.stdout!.on("data", (d: Buffer) => lines.push(...d.toString().split("\n").filter(Boolean)));
    child.stderr!.on("data", (d: Buffer) => lines.push(...d.toString().split("\n").filter(Boolean)));
    this.children.set(service, child);
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`${service} exited: ${lines.slice(-5).join(" | ")}`);
      return (await fetch(`http://127.0.0.1:${this.ports[service]}/readyz`).catch(() => undefined))?.status === 200;
    }, `${service} ready`, 30_000);
  }

  /** Sends `signal` and waits for the process to exit; returns how it exited. */
  async stop(service: ProcessService, signal: NodeJS.Signals = "SIGTERM"): Promise<{ code: number | null; signal: string | null }> {
    const child = this.children.get(service);
    if (!child || child.exitCode !== null || child.signalCode !== null) return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null };
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once("exit", (code, sig) => resolve({ code, signal: sig })));
    child.kill(signal);
    const result = await exited;
    this.children.delete(service);
    return result;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children.keys()].map((s) => this.stop(s, "SIGKILL")));
  }
}
