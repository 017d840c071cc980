import { cacheBucketName, cacheKeyToken } from "@hookstream/contracts";
import { invalidatedFilters } from "./cache-scopes";

describe("invalidatedFilters", () => {
  it("drops everything cached about a GitHub repository", () => {
    expect(invalidatedFilters({ source: "github", resource: "acme/api", payload: {} })).toEqual(["github.acme/api.>"]);
    // A dot would split the repository into two key tokens.
    expect(invalidatedFilters({ source: "github", resource: "acme/api.js", payload: {} })).toEqual(["github.acme/api_js.>"]);
    expect(invalidatedFilters({ source: "github", resource: null, payload: {} })).toEqual([]);
  });

  it("drops a Stripe object, its customer and the connected account, once each", () => {
    const payload = { type: "invoice.paid", data: { object: { id: "in_1", customer: "cus_9" } } };
    expect(invalidatedFilters({ source: "stripe", resource: "acct_7", payload })).toEqual(["stripe.acct_7.>", "stripe.in_1.>", "stripe.cus_9.>"]);
    const self = { data: { object: { id: "cus_9", customer: null } } };
    expect(invalidatedFilters({ source: "stripe", resource: null, payload: self })).toEqual(["stripe.cus_9.>"]);
  });
});

describe("cache names", () => {
  it("name a workspace's bucket by its id when it is a valid bucket name, else by its digest", () => {
    expect(cacheBucketName("ws-1_A")).toBe("cache_ws-1_A");
    expect(cacheBucketName("team.acme")).toMatch(/^cache-[0-9a-f]{64}$/);
    expect(cacheBucketName("team.acme")).not.toBe(cacheBucketName("team_acme"));
    expect(cacheBucketName("x".repeat(201))).toMatch(/^cache-[0-9a-f]{64}$/);
  });

  it("keep key tokens within what KV allows", () => {
    expect(cacheKeyToken("acme/api=1 x.y*>")).toBe("acme/api=1_x_y__");
    expect(cacheKeyToken("")).toBe("_");
  });
});
