import { BoundedCache } from "./bounded-cache";

describe("BoundedCache", () => {
  it("evicts the least recently used entry past its maximum size", () => {
    const c = new BoundedCache<string, number>(2, 60_000);
    c.set("a", 1);
    c.set("b", 2);
    expect(c.get("a")).toBe(1); // a is now more recent than b
    c.set("c", 3);
    expect(c.get("b")).toBeUndefined();
    expect(c.get("a")).toBe(1);
    expect(c.get("c")).toBe(3);
    expect(c.size).toBe(2);
  });

  it("forgets an entry once it is older than the maximum age", () => {
    let now = 1000;
    const c = new BoundedCache<string, number>(10, 500, () => now);
    c.set("a", 1);
    now = 1499;
    expect(c.get("a")).toBe(1);
    now = 1500;
    expect(c.get("a")).toBeUndefined();
    expect(c.size).toBe(0);
  });
});
