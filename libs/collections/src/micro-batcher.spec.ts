import { MicroBatcher } from "./micro-batcher";

/** A write the test finishes by hand. */
function controlledWrites() {
  const writes: { items: number[]; done: () => void; fail: (e: Error) => void }[] = [];
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      writes.push({ items, done: resolve, fail: reject });
    });
  return { writes, write };
}

const settled = () => new Promise((r) => setImmediate(r));

describe("MicroBatcher", () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ["setImmediate"] }));
  afterEach(() => jest.useRealTimers());

  it("writes what arrived within the delay together, and settles each caller with its write", async () => {
    const { writes, write } = controlledWrites();
    const b = new MicroBatcher(write, { maxItems: 10, maxDelayMs: 50 });
    const outcomes: string[] = [];
    const calls = [1, 2, 3].map((n) => b.add(n).then(() => outcomes.push(`ok ${n}`)));
    jest.advanceTimersByTime(49);
    expect(writes).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(writes.map((w) => w.items)).toEqual([[1, 2, 3]]);
    await settled();
    expect(outcomes).toEqual([]);
    writes[0]!.done();
    await Promise.all(calls);
    expect(outcomes).toEqual(["ok 1", "ok 2", "ok 3"]);
  });

  it("writes at once when a batch is full", () => {
    const { writes, write } = controlledWrites();
    const b = new MicroBatcher(write, { maxItems: 2, maxDelayMs: 50 });
    void b.add(1);
    void b.add(2);
    expect(writes.map((w) => w.items)).toEqual([[1, 2]]);
  });

  it("writes one batch at a time; what arrives meanwhile goes next, at most maxItems per write", async () => {
    const { writes, write } = controlledWrites();
    const b = new MicroBatcher(write, { maxItems: 2, maxDelayMs: 50 });
    for (const n of [1, 2, 3, 4, 5]) void b.add(n);
    jest.advanceTimersByTime(1000);
    expect(writes.map((w) => w.items)).toEqual([[1, 2]]);
    writes[0]!.done();
    await settled();
    expect(writes.map((w) => w.items)).toEqual([[1, 2], [3, 4]]);
    writes[1]!.done();
    await settled();
    expect(writes.map((w) => w.items)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("fails every caller of a failed write, and goes on with the next", async () => {
    const { writes, write } = controlledWrites();
    const b = new MicroBatcher(write, { maxItems: 10, maxDelayMs: 50 });
    const first = [b.add(1), b.add(2)];
    jest.advanceTimersByTime(50);
    const later = b.add(3);
    writes[0]!.fail(new Error("database away"));
    for (const p of first) await expect(p).rejects.toThrow("database away");
    await settled();
    writes[1]!.done();
    await expect(later).resolves.toBeUndefined();
  });
});
