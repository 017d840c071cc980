export interface FairnessOptions {
  /** Jobs of one workspace running at once in this process. */
  limit: number;
  /** Workspaces remembered at most; idle ones are forgotten first. */
  maxWorkspaces: number;
  /** A workspace with nothing running or reserved for this long is forgotten. */
  idleMs: number;
  now?: () => number;
}

export type Admission = { admitted: true; release: () => void } | { admitted: false; delayMs: number };

export interface Delivery {
  /** 1 for the first delivery of the job. */
  count: number;
  /** Its last delivery: a deferral would dead-letter it, so it is admitted over the limit. */
  last: boolean;
}

interface WorkspaceState {
  /** Start times of the jobs running now (at most the limit, plus forced ones). */
  running: number[];
  /** Moving average of this workspace's job durations; null until one has finished. */
  averageMs: number | null;
  /** The start of the next free turn, after those promised to jobs deferred so far. */
  reservedUntil: number;
  touched: number;
}

/** What a workspace's jobs are assumed to take at least, before one has finished. */
export const INITIAL_DURATION_MS = 250;
/** A deferral shorter than this would bring the job back before anything could have changed. */
export const MIN_DELAY_MS = 250;
/** Share of a job's duration added to a turn: a job back a little late finds its slot free, one back early does not. */
const SLACK = 0.1;
/**
 * Each further delivery of a job waits at least this many times longer (250 ms, 500 ms, 1 s, 2 s…): while a
 * workspace's durations are still unknown its turns are guesses, and a job that keeps missing them must not spend
 * its deliveries at the pace of the shortest guess.
 */
const DELIVERY_GROWTH = 2;
/** Beyond this a reservation is a guess: the job comes back and is admitted or deferred again. */
export const MAX_DELAY_MS = 10 * 60_000;
/** Weight of the latest duration in the average: a destination that slows down is noticed within a few jobs. */
const SMOOTHING = 0.3;
const SWEEP_EVERY_MS = 1000;

/**
 * A per-workspace in-flight limit, so one workspace with a slow or failing destination cannot take every slot of
 * the process. A job over its workspace's limit is not run: it is given a delay that reserves it a turn. Turns start
 * when the oldest running job should end and are spaced by the job duration divided by the limit, so each deferred
 * job comes back about when a slot frees and is deferred about once, not at every short retry (each deferral costs
 * a JetStream delivery). The duration is the workspace's moving average, or twice the age of its oldest running job
 * when that is longer (its first jobs have no average yet).
 */
export class WorkspaceFairness {
  private readonly workspaces = new Map<string, WorkspaceState>();
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(private readonly options: FairnessOptions) {
    this.now = options.now ?? Date.now;
  }

  admit(workspaceId: string, delivery: Delivery): Admission {
    const now = this.now();
    this.forgetIdle(now);
    const s = this.touch(workspaceId, now);
    if (s.running.length < this.options.limit || delivery.last) {
      s.running.push(now);
      return { admitted: true, release: this.releaser(workspaceId, s, now) };
    }
    const oldest = Math.min(...s.running);
    // A job that has run for t is expected to run about as long again: what bounds the guess before any has finished.
    const durationMs = Math.max(s.averageMs ?? INITIAL_DURATION_MS, 2 * (now - oldest));
    const turn = Math.max(s.reservedUntil, oldest + durationMs, now);
    s.reservedUntil = turn + durationMs / this.options.limit;
    const delayMs = Math.max(turn - now + SLACK * durationMs, MIN_DELAY_MS * DELIVERY_GROWTH ** (delivery.count - 1));
    return { admitted: false, delayMs: Math.round(Math.min(MAX_DELAY_MS, delayMs)) };
  }

  get size(): number {
    return this.workspaces.size;
  }

  /** The workspace's state, moved to the end: the map stays ordered from least to most recently seen. */
  private touch(workspaceId: string, now: number): WorkspaceState {
    const s = this.workspaces.get(workspaceId) ?? { running: [], averageMs: null, reservedUntil: now, touched: now };
    s.touched = now;
    this.workspaces.delete(workspaceId);
    this.workspaces.set(workspaceId, s);
    if (this.workspaces.size > this.options.maxWorkspaces) this.evictQuiet();
    return s;
  }

  private releaser(workspaceId: string, s: WorkspaceState, startedAt: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = this.now();
      s.running.splice(s.running.indexOf(startedAt), 1);
      const tookMs = now - startedAt;
      s.averageMs = s.averageMs === null ? tookMs : s.averageMs + SMOOTHING * (tookMs - s.averageMs);
      // A running workspace is never evicted, so its entry is still the one in the map.
      this.touch(workspaceId, now);
    };
  }

  /** Least recently seen first, skipping workspaces with jobs running (their count must stay right). */
  private evictQuiet(): void {
    for (const [id, s] of this.workspaces) {
      if (this.workspaces.size <= this.options.maxWorkspaces) return;
      if (s.running.length === 0) this.workspaces.delete(id);
    }
  }

  private forgetIdle(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [id, s] of this.workspaces) {
      if (now - s.touched < this.options.idleMs) return;
      if (s.running.length === 0 && s.reservedUntil <= now) this.workspaces.delete(id);
    }
  }
}
