import { type Admission, MAX_DELAY_MS, MAX_RESERVATIONS, MIN_DELAY_MS, RETRY_DURATIONS, WorkspaceFairness } from "./fairness";

let now = 0;
const first = { count: 1, last: false };
const fairness = (limit = 2, maxWorkspaces = 100) => new WorkspaceFairness({ limit, maxWorkspaces, idleMs: 60_000, now: () => now });

function admitted(a: Admission): () => void {
  if (!a.admitted) throw new Error(`deferred by ${a.delayMs} ms`);
  return a.release;
}

function delay(a: Admission): number {
  if (a.admitted) throw new Error("admitted");
  return a.delayMs;
}

const MAX_DELIVER = 10;

/**
 * Runs `jobs` jobs of one workspace, queued at once unless `arrivesAfterMs` says otherwise, through `f` on the injected clock, as JetStream and the
 * worker would: a deferred job comes back after its delay, an admitted one is released after `durationMs(i)`.
 */
function drain(f: WorkspaceFairness, jobs: number, durationMs: (job: number) => number, arrivesAfterMs: (job: number) => number = () => 0) {
  const start = now;
  type Event = { at: number; job: number; count?: number; release?: () => void };
  const events: Event[] = Array.from({ length: jobs }, (_, job) => ({ at: now + arrivesAfterMs(job), job, count: 1 }));
  let lastStart = start;
  let maxDeliveries = 0;
  let longestRedeferral = 0;
  while (events.length > 0) {
    events.sort((a, b) => a.at - b.at || (a.release ? -1 : 0));
    const e = events.shift()!;
    now = e.at;
    if (e.release) {
      e.release();
      continue;
    }
    const count = e.count!;
    const a = f.admit("ws", { count, last: count === MAX_DELIVER });
    if (a.admitted) {
      lastStart = now;
      maxDeliveries = Math.max(maxDeliveries, count);
      events.push({ at: now + durationMs(e.job), job: e.job, release: a.release });
    } else {
      if (count > 1) longestRedeferral = Math.max(longestRedeferral, a.delayMs);
      events.push({ at: now + a.delayMs, job: e.job, count: count + 1 });
    }
  }
  return { allStartedAfter: lastStart - start, maxDeliveries, longestRedeferral };
}

beforeEach(() => {
  now = 1_000_000;
});

describe("WorkspaceFairness", () => {
  it("admits up to the limit per workspace, whatever other workspaces run", () => {
    const f = fairness(2);
    admitted(f.admit("slow", first));
    admitted(f.admit("slow", first));
    expect(f.admit("slow", first).admitted).toBe(false);
    for (let i = 0; i < 10; i++) admitted(f.admit(`other-${i}`, first));
  });

  it("frees a slot on release, once however often release is called", () => {
    const f = fairness(1);
    const release = admitted(f.admit("ws", first));
    expect(f.admit("ws", first).admitted).toBe(false);
    release();
    release();
    admitted(f.admit("ws", first));
    expect(f.admit("ws", first).admitted).toBe(false);
  });

  it("gives deferred jobs turns from the end of the oldest running job, spaced by duration over limit", () => {
    const f = fairness(2);
    const releases = [admitted(f.admit("ws", first)), admitted(f.admit("ws", first))];
    now += 4000;
    releases[0]!();
    now += 1000;
    releases[1]!();
    // The first duration measured is the average; later ones move it.
    const d = 4000 + 0.3 * (5000 - 4000);
    admitted(f.admit("ws", first));
    admitted(f.admit("ws", first));
    const delays = [0, 1, 2, 3].map(() => delay(f.admit("ws", first)));
    // Each a tenth of a duration late, so that the slot has been freed when it comes back.
    expect(delays).toEqual([0, 1, 2, 3].map((k) => Math.round(d + (k * d) / 2 + 0.1 * d)));
  });

  it("takes twice the age of the oldest running job as the duration when that is longer", () => {
    const f = fairness(1);
    admitted(f.admit("ws", first));
    now += 3000;
    // Nothing measured yet, but the running job is 3 s old: it is expected to end in 3 s, the next one 6 s later.
    expect(delay(f.admit("ws", first))).toBe(3000 + 600);
    expect(delay(f.admit("ws", first))).toBe(9000 + 600);
  });

  it("keeps a deferral between its minimum and maximum", () => {
    const f = fairness(1);
    const quick = admitted(f.admit("fast", first));
    now += 10;
    quick();
    admitted(f.admit("fast", first));
    expect(delay(f.admit("fast", first))).toBe(MIN_DELAY_MS);

    const slow = fairness(1);
    const release = admitted(slow.admit("slow", first));
    now += 100 * MAX_DELAY_MS;
    release();
    admitted(slow.admit("slow", first));
    expect(delay(slow.admit("slow", first))).toBe(MAX_DELAY_MS);
  });

  it("lets turns lapse once their time has passed", () => {
    const f = fairness(1);
    const running = admitted(f.admit("ws", first));
    for (let i = 0; i < 20; i++) f.admit("ws", first);
    now += 1000;
    running();
    now += 30_000;
    admitted(f.admit("ws", first));
    expect(delay(f.admit("ws", first))).toBe(1000 + 100);
  });

  it("makes each further delivery of a job wait longer while its durations are guesses, up to a few durations", () => {
    const deferredAgain = (count: number) => {
      const f = fairness(1);
      admitted(f.admit("ws", first));
      return delay(f.admit("ws", { count, last: false }));
    };
    // Nothing measured: the duration is the 250 ms guess, so the growth (250 ms × 2^(delivery − 1)) stops at 1 s.
    expect([2, 3, 4, 5, 6, 10].map(deferredAgain)).toEqual([500, 1000, 1000, 1000, 1000, 1000]);
  });

  it("waits for the running job before a job deferred again, so a stuck job does not burn its deliveries", () => {
    const f = fairness(1);
    drain(f, 1, () => 100);
    const stuck = admitted(f.admit("ws", first));
    const startedAt = now;
    let waited = 0;
    for (let count = 1; count <= 9; count++) {
      const d = delay(f.admit("ws", { count, last: false }));
      // It comes back no earlier than when the stuck job, as old as it is, would have run as long again.
      expect(d).toBeGreaterThanOrEqual(now - startedAt);
      waited += d;
      now += d;
    }
    // So the waits double, and nine deliveries outlast a minute of it rather than a few seconds.
    expect(waited).toBeGreaterThan(60_000);
    stuck();
  });

  it("puts a job deferred again before the jobs deferred once, within a few durations of the first slot to free", () => {
    for (const count of [2, 6, 14]) {
      const f = fairness(2);
      drain(f, 2, () => 1000);
      admitted(f.admit("ws", first));
      admitted(f.admit("ws", first));
      // A long queue of fresh jobs deferred behind the running ones: 50 turns of half a second.
      for (let i = 0; i < 50; i++) delay(f.admit("ws", first));
      // The running jobs end in a second: a job whose slot was taken is next, not 25 s later behind the 50.
      expect(delay(f.admit("ws", { count, last: false }))).toBeLessThanOrEqual(Math.max(1000 + 100, RETRY_DURATIONS * 1000));
    }
  });

  it("admits a backlog of 200 fast jobs in about 200 / limit durations", () => {
    const f = fairness(8);
    drain(f, 8, () => 100);
    const run = drain(f, 200, () => 100);
    // 2.5 s of work, 8 at a time, plus the slack of each turn.
    expect(run.allStartedAfter).toBeLessThan((200 / 8) * 100 * 1.5);
    expect(run.maxDeliveries).toBeLessThanOrEqual(3);
  });

  it("holds a slot for a job coming back to it, for the slack only", () => {
    const f = fairness(1);
    drain(f, 1, () => 1000);
    const running = admitted(f.admit("ws", first));
    expect(delay(f.admit("ws", first))).toBe(1000 + 100);
    now += 1000;
    running();
    // The deferred job is due in 100 ms: a fresh job does not take its slot…
    expect(f.admit("ws", first).admitted).toBe(false);
    // …but once its time has passed without it (it went to another replica), the slot is anyone's.
    now += 101;
    admitted(f.admit("ws", first));
  });

  it("admits a backlog about as fast as the limit allows, though fresh jobs keep taking the freed slots", () => {
    const f = fairness(8);
    // 200 jobs of 1 s at once, then one fresh job every 250 ms for a minute: 8 at a time, 64 s of work in all.
    const run = drain(f, 440, () => 1000, (job) => (job < 200 ? 0 : (job - 200) * 250));
    expect(run.allStartedAfter).toBeLessThan(64_000 * 1.25);
    // No job needed its last delivery, admitted over the limit, to run.
    expect(run.maxDeliveries).toBeLessThan(MAX_DELIVER);
  });

  it("takes a starved period's pessimistic turns back once jobs finish fast", () => {
    const f = fairness(8);
    drain(f, 8, () => 100);
    // The machine is starved: the first eight of a backlog of 200 take 5 s, the others 100 ms again.
    const run = drain(f, 200, (job) => (job < 8 ? 5000 : 100));
    // The stall's jobs are measured at 5 s, so the turns after it are spaced wider for a while, but not by 5 s / 8
    // per job for the rest of the backlog (over 90 s before the fix).
    expect(run.allStartedAfter).toBeLessThan(5000 + (192 / 8) * 1000);
    expect(run.maxDeliveries).toBeLessThan(MAX_DELIVER);
    // Once the backlog is gone, a job deferred behind eight fresh ones waits about one duration, not a queue of turns.
    for (let i = 0; i < 8; i++) admitted(f.admit("ws", first));
    expect(delay(f.admit("ws", first))).toBeLessThan(1000);
  });

  it("remembers at most MAX_RESERVATIONS turns per workspace", () => {
    const f = fairness(1);
    drain(f, 1, () => 100);
    admitted(f.admit("ws", first));
    const delays = Array.from({ length: MAX_RESERVATIONS + 10 }, () => delay(f.admit("ws", first)));
    // The queue stops growing: each job deferred beyond it gets the last turn.
    expect(delays.at(-1)).toBe(delays.at(-2));
    expect(delays.at(-1)).toBeLessThanOrEqual(MIN_DELAY_MS + 100 * (MAX_RESERVATIONS + 1));
  });

  it("admits a job on its last delivery over the limit, and counts it", () => {
    const f = fairness(1);
    admitted(f.admit("ws", first));
    const forced = admitted(f.admit("ws", { count: 6, last: true }));
    forced();
    expect(f.admit("ws", first).admitted).toBe(false);
  });

  it("remembers at most maxWorkspaces, never forgetting one with jobs running", () => {
    const f = fairness(1, 3);
    admitted(f.admit("busy", first));
    for (let i = 0; i < 10; i++) admitted(f.admit(`quiet-${i}`, first))();
    expect(f.size).toBe(3);
    expect(f.admit("busy", first).admitted).toBe(false);
  });

  it("forgets workspaces idle for idleMs", () => {
    const f = fairness(1);
    for (let i = 0; i < 5; i++) admitted(f.admit(`ws-${i}`, first))();
    const running = admitted(f.admit("running", first));
    now += 61_000;
    admitted(f.admit("new", first));
    expect(f.size).toBe(2);
    running();
  });
});
