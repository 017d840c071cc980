import { paceDelay } from "./pacing";

describe("paceDelay", () => {
  it("spaces items 1/rate apart from the start", () => {
    expect(paceDelay(0, 50, 0)).toBe(0);
    expect(paceDelay(10, 50, 0)).toBe(200);
    expect(paceDelay(10, 50, 150)).toBe(50);
  });

  it("never waits when behind schedule", () => {
    expect(paceDelay(10, 50, 5000)).toBe(0);
  });

  it("keeps 1,000 items at 100/s to about ten seconds", () => {
    expect(paceDelay(999, 100, 0)).toBe(9990);
  });
});
