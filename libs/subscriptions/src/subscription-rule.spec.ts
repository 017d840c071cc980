import { resourceKeys } from "./subscription-rule";

describe("resourceKeys", () => {
  it("lists the exact name, its account's wildcard and the global wildcard", () => {
    expect(resourceKeys("acme/api")).toEqual(["acme/api", "acme/*", "*"]);
    expect(resourceKeys("cus_123")).toEqual(["cus_123", "*"]);
    expect(resourceKeys(null)).toEqual(["*"]);
  });
});
