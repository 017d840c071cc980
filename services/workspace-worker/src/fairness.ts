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

interface Reservation {
  at: number;
  count: number;
}

interface WorkspaceState {
  /** Start times of the jobs running now (at most the limit, plus forced ones). */
  running: number[];
  /** Moving average of this workspace's job durations; null until one has finished. */
  averageMs: number | null;
  /** The jobs deferred and not back yet: when they come back, ascending, and at which delivery they were deferred. */
  reserved: Reservation[];
  touched: number;
}

/** What a workspace's jobs are assumed to take at least, before one has finished. */
export const INITIAL_DURATION_MS = 250;
/** A deferral shorter than this would bring the job back before anything could have changed. */
export const MIN_DELAY_MS = 250;
/** Share of a job's duration added to a turn: a job back a little late finds its slot free, one back early does not. */
const SLACK = 0.1;
/**
 * While no duration is measured, each further delivery of a job waits at least this many times longer (250 ms,
 * 500 ms, 1 s…), so a job missing turns that are guesses does not spend its deliveries at the pace of the shortest
 * guess.
 */
const DELIVERY_GROWTH = 2;
/**
 * That growth stops at this many (guessed) durations: unbounded, it reached 128 s at the tenth delivery and kept
 * jobs waiting minutes by idle slots.
 */
export const RETRY_DURATIONS = 4;
/** Turns remembered per workspace: beyond this many the queue is far enough ahead to be a guess anyway. */
export const MAX_RESERVATIONS = 512;
/** Beyond this a reservation is a guess: the job comes back and is admitted or deferred again. */
export const MAX_DELAY_MS = 10 * 60_000;
/** Weight of the latest duration in the average: a destination that slows down is noticed within a few jobs. */
const SMOOTHING = 0.3;
/**
 * A duration counts in the average as at most this many times the average: a few jobs stalled together (the machine
 * starved for seconds) would otherwise space the turns of every job deferred next by seconds, and those turns cannot
 * be taken back once given. A lasting slowdown still raises the average by up to 30% per job.
 */
const OUTLIER = 2;
const SWEEP_EVERY_MS = 1000;

/**
 * A per-workspace in-flight limit, so one workspace with a slow or failing destination cannot take every slot of
 * the process. A job over its workspace's limit is not run: it is given a delay that reserves it a turn. Turns start
 * when the oldest running job should end (after the workspace's average duration, or twice its age when that is
 * longer: the first jobs have no average yet) and follow each other by the average duration divided by the limit,
 * one per deferred job not back yet, so each deferred job comes back about when a slot frees and is deferred about
 * once, not at every short retry (each deferral costs a JetStream delivery). Turns are counted from now at every
 * deferral, so a pessimistic guess made while the machine was starved is not carried forward once jobs are fast.
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
    // Turns already come (their jobs are back, or will not come) are taken back, so the queue is never longer
    // than the deferred jobs still out, whatever the estimates were when they were promised.
    const due = s.reserved.findIndex((r) => r.at > now);
    s.reserved.splice(0, due < 0 ? s.reserved.length : due);
    // A job does not take a slot from a job deferred as often or more and about to come back for it, or that job
    // would be deferred again; a slot is held no longer than the slack, so the worker is not left idle if that job
    // went to another replica.
    const holdUntil = now + SLACK * (s.averageMs ?? INITIAL_DURATION_MS);
    const held = s.reserved.filter((r) => r.at <= holdUntil && r.count >= delivery.count - 1).length;
    if (s.running.length + held < this.options.limit || delivery.last) {
      s.running.push(now);
      return { admitted: true, release: this.releaser(workspaceId, s, now) };
    }
    // A job that has run for t is expected to run about as long again: what bounds the guess before any has finished.
    const oldest = Math.min(now, ...s.running);
    const pessimisticMs = Math.max(s.averageMs ?? INITIAL_DURATION_MS, 2 * (now - oldest));
    // The jobs after the running ones are paced by what jobs were measured to take, not by a starved running one.
    const durationMs = s.averageMs ?? pessimisticMs;
    // A job deferred again has waited its turn already (a fresh job took its slot, or the guess was short): it
    // queues only behind the jobs deferred as often as it or more, so the job deferred most often goes first.
    const queued = s.reserved.filter((r) => r.count >= delivery.count).length;
    // A slot is free now if this job was deferred only because it is held for a job coming back. No turn is sooner
    // than the shortest deferral, or the turns of fast jobs would all fall on it together.
    const firstFree = s.running.length < this.options.limit ? now : oldest + pessimisticMs;
    const turn = Math.max(now + MIN_DELAY_MS - SLACK * durationMs, firstFree) + (queued * durationMs) / this.options.limit;
    // Once a duration is measured the turns are not guesses: a later return would only miss the job's turn.
    const atLeast = s.averageMs === null ? Math.min(MIN_DELAY_MS * DELIVERY_GROWTH ** (delivery.count - 1), RETRY_DURATIONS * durationMs) : 0;
    const delayMs = Math.round(Math.min(MAX_DELAY_MS, Math.max(turn - now + SLACK * durationMs, atLeast, MIN_DELAY_MS)));
    reserve(s.reserved, { at: now + delayMs, count: delivery.count });
    return { admitted: false, delayMs };
  }

  get size(): number {
    return this.workspaces.size;
  }

  /** The workspace's state, moved to the end: the map stays ordered from least to most recently seen. */
  private touch(workspaceId: string, now: number): WorkspaceState {
    const s = this.workspaces.get(workspaceId) ?? { running: [], averageMs: null, reserved: [], touched: now };
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
      s.averageMs = s.averageMs === null ? tookMs : s.averageMs + SMOOTHING * (Math.min(tookMs, OUTLIER * s.averageMs) - s.averageMs);
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
      if (s.running.length === 0 && (s.reserved.at(-1)?.at ?? 0) <= now) this.workspaces.delete(id);
    }
  }
}

/** A deferred job occupies a slot from when it comes back; when full, the nearest reservation is dropped. */
function reserve(reserved: Reservation[], r: Reservation): void {
  let i = reserved.length;
  while (i > 0 && reserved[i - 1]!.at > r.at) i--;
  reserved.splice(i, 0, r);
  if (reserved.length > MAX_RESERVATIONS) reserved.shift();
}
