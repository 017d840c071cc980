// Everything the bench starts goes through here, so it can all be stopped at the end, on error or on Ctrl-C,
// and so each system's processes can be measured (peak RSS from /proc).
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { join } from "node:path";

const children = new Set();
const gone = [];
/** Processes that stopped by themselves or were killed, for the failure report. */
export const exited = () => gone.filter((p) => !p.stopped);
/** Ports the rest of the project uses (npm start, tests): never handed out. */
const RESERVED = new Set([3000, 3001, 3002, 3003, 4100, 4101, 4102, 4222, 14222]);

export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    });
    if (!RESERVED.has(port)) return port;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(cond, what, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await cond().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export const portOpen = (port) =>
  new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });

export const httpOk = (url) => fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok);

/** A child process whose output goes to `<logDir>/<name>.log`; `tail()` shows the end of it on failure. */
export function start(name, command, args, { env, logDir, cwd }) {
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(command, args, { env: { ...process.env, ...env }, cwd, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  const proc = {
    name,
    child,
    pid: child.pid,
    exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code))),
    tail: (lines = 20) => {
      try {
        return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
      } catch {
        return "";
      }
    },
  };
  children.add(proc);
  proc.exited.then(() => {
    children.delete(proc);
    gone.push(proc);
  });
  child.once("error", (e) => console.error(`[bench] ${name}: ${e.message}`));
  return proc;
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(proc, graceMs = 8000) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.stopped = true;
  proc.child.kill("SIGTERM");
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/** Last resort (process exit): kill whatever is still running, by pid, synchronously. */
export function killAllNow() {
  for (const p of children) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {}
  }
}

/** kB from /proc/<pid>/status: VmRSS now and VmHWM (the process's own peak). */
export function memoryOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(s)?.[1] ?? 0);
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/**
 * Samples the summed RSS of each group of processes every `intervalMs`: the peak of the sum is what the
 * system needed at once. Each process's VmHWM is kept too (the kernel's own peak, between samples).
 */
export class RssSampler {
  constructor(intervalMs = 200) {
    this.groups = new Map();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** `procs()` returns the group's current processes ({name, pid}). */
  track(group, procs) {
    this.groups.set(group, { procs, peakKb: 0, hwm: new Map() });
  }

  sample() {
    for (const g of this.groups.values()) {
      let sum = 0;
      for (const p of g.procs()) {
        const m = memoryOf(p.pid);
        sum += m.rss;
        if (m.hwm > (g.hwm.get(p.name) ?? 0)) g.hwm.set(p.name, m.hwm);
      }
      g.peakKb = Math.max(g.peakKb, sum);
    }
  }

  report(group) {
    const g = this.groups.get(group);
    return { peakMb: g.peakKb / 1024, hwmMb: Object.fromEntries([...g.hwm].map(([n, kb]) => [n, kb / 1024])) };
  }

  current(group) {
    const out = {};
    for (const p of this.groups.get(group).procs()) out[p.name] = memoryOf(p.pid).rss / 1024;
    return out;
  }

  stop() {
    clearInterval(this.timer);
  }
}

/** CPU time (user + system) a process used so far, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
export function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}
