import { Semaphore } from "./semaphore";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("Semaphore", () => {
  it("runs at most `limit` at once, the others in arrival order", async () => {
    const semaphore = new Semaphore(2);
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const runs = [0, 1, 2, 3].map((i) =>
      semaphore.run(async () => {
        started.push(i);
        await new Promise<void>((resolve) => (finish[i] = resolve));
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([semaphore.held, semaphore.queued]).toEqual([2, 2]);
    finish[1]!();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    finish[0]!();
    finish[2]!();
    await tick();
    finish[3]!();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect([semaphore.held, semaphore.queued]).toEqual([0, 0]);
  });

  it("frees the turn of a holder that failed", async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await semaphore.run(async () => "next")).toBe("next");
    expect(semaphore.held).toBe(0);
  });

  it("refuses a limit below one", () => {
    expect(() => new Semaphore(0)).toThrow(/at least 1/);
  });
});
