import { ADMIN_TOKEN, type TestStack } from "../../../test/support/stack";
import { eventually } from "../../../test/support/eventually";
import type { EntryView } from "../src/cli/format";

/** A GitHub `issues` event for a repository; the delivery id becomes the event id. */
export const issue = (repo: string, n = 1) => ({ action: "opened", issue: { number: n }, repository: { id: 7, full_name: repo } });

export async function send(stack: TestStack, repo: string, delivery: string, event = "issues"): Promise<void> {
  const res = await stack.sendGithub({ event, delivery, body: issue(repo) });
  if (res.status !== 202) throw new Error(`webhook ${delivery} answered ${res.status}`);
}

export async function entries(stack: TestStack, query = "", token = ADMIN_TOKEN): Promise<EntryView[]> {
  const res = await stack.admin("dlq", "GET", `/admin/dlq${query}`, undefined, token);
  if (res.status !== 200) throw new Error(`GET /admin/dlq${query} answered ${res.status}`);
  return ((await res.json()) as { items: EntryView[] }).items;
}

export async function entry(stack: TestStack, id: string): Promise<EntryView> {
  const res = await stack.admin("dlq", "GET", `/admin/dlq/${id}`);
  if (res.status !== 200) throw new Error(`GET /admin/dlq/${id} answered ${res.status}`);
  return (await res.json()) as EntryView;
}

/** The one entry of a workspace, once it exists. */
export async function entryOf(stack: TestStack, workspaceId: string, timeoutMs?: number): Promise<EntryView> {
  const [found] = await eventually(async () => {
    const e = await entries(stack, `?workspaceId=${workspaceId}`);
    return e.length > 0 && e;
  }, `a DLQ entry for ${workspaceId}`, timeoutMs);
  return entry(stack, found!.id);
}

/** Waits until the entry satisfies `check`, returning it. */
export function entryWhen(stack: TestStack, id: string, check: (e: EntryView) => boolean, what: string, timeoutMs?: number): Promise<EntryView> {
  return eventually(async () => {
    const e = await entry(stack, id);
    return check(e) && e;
  }, what, timeoutMs);
}
