import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { waitUntil } from "./wait";

/** The repository root: the nearest folder above this file (sources under jest, or a build) with a package.json. */
export function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json"))) {
    const up = resolve(dir, "..");
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/** Compiles the services into a private folder, as `npm start` runs them (instrumented by OpenTelemetry). */
export function buildServices(): { dir: string; remove: () => void } {
  const root = repositoryRoot();
  const dir = join(".build", `test-${randomBytes(4).toString("hex")}`);
  const r = spawnSync(process.execPath, ["scripts/build.mjs", "--out", dir], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr || r.stdout}`);
  return { dir: join(root, dir), remove: () => rmSync(join(root, dir), { recursive: true, force: true }) };
}

export type ProcessService = "ingress" | "router" | "workspace-worker" | "dlq-manager";
export const PROCESS_SERVICES: readonly ProcessService[] = ["ingress", "router", "workspace-worker", "dlq-manager"];

/** The variable each service reads its HTTP port from. */
export const PORT_VARIABLE: Record<ProcessService, string> = {
  ingress: "INGRESS_PORT",
  router: "ROUTER_PORT",
  "workspace-worker": "WORKER_PORT",
  "dlq-manager": "DLQ_PORT",
};

/** An instance is a service's name, or `<service>#<n>` for another replica of it (e.g. `workspace-worker#2`). */
export const serviceOf = (instance: string): ProcessService => instance.split("#")[0] as ProcessService;

const OUTPUT_LINES = 2000;

/**
 * The services as real processes, each instance startable, stoppable with a signal, and restartable. `ports` names
 * every instance that may run and its HTTP port; an instance gets the shared `env`, its own port variable and
 * `OTEL_SERVICE_NAME`. The last lines of each instance's output are kept (bounded) for failure reports.
 */
export class ServiceProcesses {
  private readonly children = new Map<string, ChildProcess>();
  readonly output = new Map<string, string[]>();

  constructor(
    private readonly distDir: string,
    private readonly env: Record<string, string>,
    private readonly ports: Record<string, number>,
  ) {}

  port(instance: string): number {
    const p = this.ports[instance];
    if (p === undefined) throw new Error(`no port for ${instance}`);
    return p;
  }

  pid(instance: string): number | undefined {
    return this.running(instance) ? this.children.get(instance)!.pid : undefined;
  }

  running(instance: string): boolean {
    const c = this.children.get(instance);
    return Boolean(c && c.exitCode === null && c.signalCode === null);
  }

  instances(): string[] {
    return [...this.children.keys()].filter((i) => this.running(i));
  }

  /** Starts the instance and waits until its `/readyz` answers 200 (`ready: false` returns once it is spawned). */
  async start(instance: string, opts: { env?: Record<string, string>; ready?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const service = serviceOf(instance);
    const port = this.port(instance);
    const child = spawn(process.execPath, [join(this.distDir, "services", service, "src", "main.js")], {
      env: { PATH: process.env.PATH ?? "", ...this.env, [PORT_VARIABLE[service]]: String(port), OTEL_SERVICE_NAME: `hookstream-${service}`, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines = this.output.get(instance) ?? [];
    this.output.set(instance, lines);
    const keep = (d: Buffer) => {
      lines.push(...d.toString().split("\n").filter(Boolean));
      if (lines.length > OUTPUT_LINES) lines.splice(0, lines.length - OUTPUT_LINES);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    this.children.set(instance, child);
    if (opts.ready === false) return;
    await this.ready(instance, opts.timeoutMs);
  }

  async ready(instance: string, timeoutMs = 90_000): Promise<void> {
    const child = this.children.get(instance)!;
    await waitUntil(async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${instance} exited: ${this.tail(instance, 5)}`);
      return (await fetch(`http://127.0.0.1:${this.port(instance)}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.status === 200;
    }, `${instance} ready`, timeoutMs);
  }

  tail(instance: string, n = 20): string {
    return (this.output.get(instance) ?? []).slice(-n).join("\n");
  }

  /** Sends `signal` and waits for the process to exit; returns how it exited. */
  async stop(instance: string, signal: NodeJS.Signals = "SIGTERM"): Promise<{ code: number | null; signal: string | null }> {
    const child = this.children.get(instance);
    if (!child || child.exitCode !== null || child.signalCode !== null) return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null };
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once("exit", (code, sig) => r({ code, signal: sig })));
    child.kill(signal);
    const result = await exited;
    this.children.delete(instance);
    return result;
  }

  /** `kill -9`: no shutdown hook runs, nothing in flight is acknowledged. */
  kill(instance: string): Promise<{ code: number | null; signal: string | null }> {
    return this.stop(instance, "SIGKILL");
  }

  async stopAll(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    await Promise.all([...this.children.keys()].map((s) => this.stop(s, signal)));
  }
}
