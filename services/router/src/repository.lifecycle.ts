import type { WebhookEvent } from "@hookstream/contracts";

export type ResourceChange = { kind: "renamed"; from: string; to: string } | { kind: "removed"; resource: string };

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

/**
 * What a GitHub event means for subscriptions: a renamed or transferred repository is followed under its new
 * name; a deleted repository, or one removed from the app's installation, is no longer subscribed.
 */
export function resourceChanges(event: WebhookEvent): ResourceChange[] {
  if (event.source !== "github") return [];
  const p = obj(event.payload);
  const action = str(p.action);
  const repo = obj(p.repository);
  const fullName = str(repo.full_name);
  const name = str(repo.name);
  const owner = fullName?.split("/")[0] ?? null;
  if (event.type === "repository" && fullName) {
    const changes = obj(p.changes);
    if (action === "renamed") {
      const oldName = str(obj(obj(changes.repository).name).from);
      return oldName && owner ? [{ kind: "renamed", from: `${owner}/${oldName}`, to: fullName }] : [];
    }
    if (action === "transferred") {
      const from = obj(obj(changes.owner).from);
      const oldOwner = str(obj(from.organization).login) ?? str(obj(from.user).login);
      return oldOwner && name ? [{ kind: "renamed", from: `${oldOwner}/${name}`, to: fullName }] : [];
    }
    if (action === "deleted") return [{ kind: "removed", resource: fullName }];
  }
  if (event.type === "installation_repositories" && action === "removed" && Array.isArray(p.repositories_removed)) {
    return p.repositories_removed.flatMap((r) => {
      const resource = str(obj(r).full_name);
      return resource ? [{ kind: "removed" as const, resource }] : [];
    });
  }
  return [];
}
