import { KnownBuckets } from "./known-buckets";

const make = (maxBuckets = 10) => {
  const overflows: number[] = [];
  const known = new KnownBuckets({
    maxBuckets,
    bucketOf: (stream) => (stream.startsWith("KV_") ? stream.slice(3) : undefined),
    onOverflow: () => overflows.push(1),
  });
  return { known, overflows };
};

const list = (known: KnownBuckets, streams: string[]) => {
  const id = known.startListing();
  for (const s of streams) if (!known.listed(id, s)) break;
  return known.finishListing(id);
};

describe("KnownBuckets", () => {
  it("lacks nothing until a listing finished, then lacks what it did not list", () => {
    const { known } = make();
    expect(known.lacks("a")).toBe(false);
    const id = known.startListing();
    known.listed(id, "KV_a");
    known.listed(id, "WEBHOOKS");
    expect(known.lacks("b")).toBe(false);
    expect(known.finishListing(id)).toBe("complete");
    expect([known.lacks("a"), known.lacks("b"), known.lacks("WEBHOOKS")]).toEqual([false, true, true]);
    expect(known.size).toBe(1);
  });

  it("keeps a complete set current from created and deleted streams, ignoring streams that are not buckets", () => {
    const { known } = make();
    expect(list(known, ["KV_a"])).toBe("complete");
    known.created("KV_b");
    known.created("ORDERS");
    known.deleted("KV_a");
    expect([known.lacks("a"), known.lacks("b")]).toEqual([true, false]);
    expect(known.size).toBe(1);
  });

  it("counts a bucket created during the listing even if the listing missed it", () => {
    const { known } = make();
    const id = known.startListing();
    known.listed(id, "KV_a");
    known.created("KV_late");
    expect(known.finishListing(id)).toBe("complete");
    expect(known.lacks("late")).toBe(false);
  });

  it("ignores creations heard while nothing is known: the next listing finds them", () => {
    const { known } = make();
    known.created("KV_a");
    expect(known.size).toBe(0);
  });

  it("throws a listing away when any stream was deleted during it (a page may have skipped a name)", () => {
    const { known } = make();
    const id = known.startListing();
    known.listed(id, "KV_a");
    known.deleted("ORDERS");
    known.listed(id, "KV_c");
    expect(known.finishListing(id)).toBe("disturbed");
    expect([known.isComplete, known.lacks("b"), known.size]).toEqual([false, false, 0]);
    expect(list(known, ["KV_a", "KV_b", "KV_c"])).toBe("complete");
    expect(known.lacks("b")).toBe(false);
  });

  it("knows nothing once forgotten (disconnected), and voids the listing under way", () => {
    const { known } = make();
    expect(list(known, ["KV_a"])).toBe("complete");
    known.forget();
    expect([known.isComplete, known.lacks("b")]).toEqual([false, false]);

    const id = known.startListing();
    known.listed(id, "KV_a");
    known.forget();
    expect(known.listed(id, "KV_b")).toBe(false);
    expect(known.finishListing(id)).toBe("superseded");
    expect(known.lacks("c")).toBe(false);
  });

  it("voids a listing when another starts", () => {
    const { known } = make();
    const first = known.startListing();
    const second = known.startListing();
    expect(known.listed(first, "KV_a")).toBe(false);
    expect(known.finishListing(first)).toBe("superseded");
    known.listed(second, "KV_b");
    expect(known.finishListing(second)).toBe("complete");
    expect([known.lacks("a"), known.lacks("b")]).toEqual([true, false]);
  });

  it("gives up for good beyond its cap, whether listed or created, and says so once", () => {
    const listed = make(2);
    expect(list(listed.known, ["KV_a", "KV_b", "KV_c", "KV_d"])).toBe("overflow");
    expect([listed.known.hasOverflowed, listed.known.isComplete, listed.known.lacks("e"), listed.known.size]).toEqual([true, false, false, 0]);
    expect(list(listed.known, ["KV_a"])).toBe("overflow");
    listed.known.created("KV_f");
    expect(listed.known.size).toBe(0);
    expect(listed.overflows).toHaveLength(1);

    const created = make(2);
    expect(list(created.known, ["KV_a", "KV_b"])).toBe("complete");
    created.known.created("KV_c");
    expect([created.known.hasOverflowed, created.known.lacks("x"), created.overflows.length]).toEqual([true, false, 1]);
  });
});
