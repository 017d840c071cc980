import { type Admission, MAX_DELAY_MS, MIN_DELAY_MS, WorkspaceFairness } from "./fairness";

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

  it("makes each further delivery of a job wait longer, so a job missing its turns spends few deliveries", () => {
    const f = fairness(1);
    admitted(f.admit("ws", first));
    // Turns here are at most about a second away; from the third delivery on, the growth decides.
    expect([3, 4, 5, 6].map((count) => delay(f.admit("ws", { count, last: false })))).toEqual([1000, 2000, 4000, 8000]);
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
