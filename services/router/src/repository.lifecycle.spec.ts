import type { WebhookEvent } from "@hookstream/contracts";
import { resourceChanges } from "./repository.lifecycle";

const gh = (type: string, payload: unknown): WebhookEvent => ({
  id: "e",
  source: "github",
  type,
  resource: null,
  receivedAt: "2026-11-27T00:00:00.000Z",
  headers: {},
  payload,
});

describe("resourceChanges", () => {
  it("follows a renamed repository", () => {
    const e = gh("repository", { action: "renamed", changes: { repository: { name: { from: "old-api" } } }, repository: { name: "api", full_name: "acme/api" } });
    expect(resourceChanges(e)).toEqual([{ kind: "renamed", from: "acme/old-api", to: "acme/api" }]);
  });

  it("follows a repository transferred from a user or an organisation", () => {
    const fromUser = gh("repository", { action: "transferred", changes: { owner: { from: { user: { login: "octocat" } } } }, repository: { name: "api", full_name: "acme/api" } });
    expect(resourceChanges(fromUser)).toEqual([{ kind: "renamed", from: "octocat/api", to: "acme/api" }]);
    const fromOrg = gh("repository", { action: "transferred", changes: { owner: { from: { organization: { login: "old-org" } } } }, repository: { name: "api", full_name: "acme/api" } });
    expect(resourceChanges(fromOrg)).toEqual([{ kind: "renamed", from: "old-org/api", to: "acme/api" }]);
  });

  it("drops deleted repositories and ones removed from the installation", () => {
    expect(resourceChanges(gh("repository", { action: "deleted", repository: { name: "api", full_name: "acme/api" } }))).toEqual([{ kind: "removed", resource: "acme/api" }]);
    const removed = gh("installation_repositories", { action: "removed", repositories_removed: [{ full_name: "acme/a" }, { full_name: "acme/b" }, { name: "no-full-name" }] });
    expect(resourceChanges(removed)).toEqual([
      { kind: "removed", resource: "acme/a" },
      { kind: "removed", resource: "acme/b" },
    ]);
  });

  it("ignores everything else, including malformed payloads", () => {
    expect(resourceChanges(gh("repository", { action: "renamed" }))).toEqual([]);
    expect(resourceChanges(gh("pull_request", { action: "opened", repository: { full_name: "acme/api" } }))).toEqual([]);
    expect(resourceChanges(gh("repository", null))).toEqual([]);
    expect(resourceChanges({ ...gh("repository", { action: "deleted", repository: { full_name: "x/y" } }), source: "stripe" })).toEqual([]);
  });
});
