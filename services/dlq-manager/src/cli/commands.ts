import { ApiError } from "../../../../libs/contracts/src/api-error";
import { AdminClient } from "./admin.client";
import { type Command, parseCommand, USAGE, UsageError } from "./args";
import { loadCliConfig } from "./cli.config";
import type { Env } from "../../../../libs/platform/src/config";
import { entryDetail, entryTable, type EntryView, operationSummary, type OperationView, progressBar, statsSummary, type StatsView } from "./format";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Redraws the progress line (a final one ends with a newline); absent when stderr is not a terminal. */
  progress?(line: string): void;
}

/** How often a bulk operation's progress is polled. */
const POLL_MS = 500;

/** Runs one command line; returns the exit code (0 done, 1 refused or failed, 2 bad usage). */
export async function runCli(argv: string[], io: Io, env?: Env): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv, new Date());
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.kind === "help") {
    io.out(USAGE);
    return 0;
  }
  try {
    const client = new AdminClient(loadCliConfig(env));
    return await run(command, client, io);
  } catch (e) {
    io.err(e instanceof ApiError ? `${e.message}${e.status ? ` (${e.status} ${e.code})` : ""}` : (e as Error).message);
    return 1;
  }
}

async function run(c: Exclude<Command, { kind: "help" }>, api: AdminClient, io: Io): Promise<number> {
  const print = (value: unknown, text: () => string) => io.out(c.json ? JSON.stringify(value, null, 2) : text());
  const now = new Date();
  switch (c.kind) {
    case "dlq.list": {
      const page = await api.get<{ items: EntryView[]; nextCursor: string | null }>("/admin/dlq", c.query);
      print(page, () => entryTable(page.items, now) + (page.nextCursor ? `\n\nmore: --cursor ${page.nextCursor}` : ""));
      return 0;
    }
    case "dlq.show": {
      const entry = await api.get<EntryView>(`/admin/dlq/${encodeURIComponent(c.id)}`);
      print(entry, () => entryDetail(entry, now));
      return 0;
    }
    case "dlq.stats": {
      const stats = await api.get<StatsView>("/admin/dlq/stats");
      print(stats, () => statsSummary(stats));
      return 0;
    }
    case "dlq.audit": {
      const page = await api.get<{ items: { at: string; actor: string; action: string; entryId: string | null; outcome: string; details: unknown }[] }>("/admin/dlq/audit", c.query);
      print(page, () => page.items.map((a) => `${a.at}  ${a.actor}  ${a.action}  ${a.outcome}  ${a.entryId ?? ""}  ${JSON.stringify(a.details)}`).join("\n") || "no actions recorded");
      return 0;
    }
    case "dlq.replay": {
      const r = await api.post<{ n: number; stream: string; streamSeq: number; status: string }>(`/admin/dlq/${encodeURIComponent(c.id)}/replay`);
      print(r, () => `replay ${r.n} of ${c.id} published to ${r.stream} #${r.streamSeq}; entry is ${r.status}`);
      return 0;
    }
    case "dlq.close": {
      const entry = await api.post<EntryView>(`/admin/dlq/${encodeURIComponent(c.id)}/${c.action}`, { note: c.note });
      print(entry, () => `${entry.id} is ${entry.status}`);
      return 0;
    }
    case "dlq.bulk":
      return bulk(c, "/admin/dlq/replay", "entries", api, io);
    case "replay":
      return bulk(c, "/admin/replay", "events", api, io);
  }
}

/** Counts first (the dry run), then starts the operation and follows it with a progress bar. */
async function bulk(c: Extract<Command, { kind: "dlq.bulk" | "replay" }>, path: string, what: string, api: AdminClient, io: Io): Promise<number> {
  const dry = await api.post<{ matched: number }>(path, { ...c.body, dryRun: true });
  if (c.dryRun || dry.matched === 0) {
    io.out(c.json ? JSON.stringify(dry, null, 2) : `${dry.matched} ${what} would be replayed`);
    return 0;
  }
  const started = await api.post<{ operationId: string; matched: number; rate: number }>(path, c.body);
  if (!c.json) io.err(`replaying ${started.matched} ${what} at up to ${started.rate}/s (operation ${started.operationId})`);
  let op = await api.get<OperationView>(`/admin/operations/${started.operationId}`);
  while (!c.detach && op.status === "running") {
    io.progress?.(progressBar(op.done + op.skipped, op.total));
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    op = await api.get<OperationView>(`/admin/operations/${started.operationId}`);
  }
  io.progress?.(`${progressBar(op.done + op.skipped, op.total)}\n`);
  io.out(c.json ? JSON.stringify(op, null, 2) : operationSummary(op));
  return op.status === "done" || op.status === "running" ? 0 : 1;
}
