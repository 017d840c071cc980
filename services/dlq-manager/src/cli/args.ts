import { parseArgs } from "node:util";
// Straight from the module: the package index loads all of Nest (see cli.config.ts).
import { parseDuration } from "../../../../libs/platform/src/duration";

/** A command line that cannot be run as written. */
export class UsageError extends Error {}

export type Query = Record<string, string | undefined>;

export type Command =
  | { kind: "help" }
  | { kind: "dlq.list"; query: Query; json: boolean }
  | { kind: "dlq.show"; id: string; json: boolean }
  | { kind: "dlq.stats"; json: boolean }
  | { kind: "dlq.audit"; query: Query; json: boolean }
  | { kind: "dlq.replay"; id: string; json: boolean }
  | { kind: "dlq.bulk"; body: Record<string, unknown>; dryRun: boolean; detach: boolean; json: boolean }
  | { kind: "dlq.close"; action: "resolve" | "discard"; id: string; note: string; json: boolean }
  | { kind: "replay"; body: Record<string, unknown>; dryRun: boolean; detach: boolean; json: boolean };

export const USAGE = `hookstream — the dead-letter queue and replays, through the DLQ manager's admin API

  hookstream dlq ls [filters] [--limit n] [--cursor c]     entries, newest first
  hookstream dlq show <id>                                 one entry, its attempts and replays
  hookstream dlq stats                                     counts by status and category, oldest pending age
  hookstream dlq replay <id>                               replay one entry
  hookstream dlq replay (filters | --all) [--dry-run] [--rate n] [--detach]
                                                           replay every pending or failed entry matching
  hookstream dlq resolve <id> --note "why"                 mark an entry resolved
  hookstream dlq discard <id> --note "why"                 mark an entry discarded
  hookstream dlq audit [--entry id] [--action a]           who did what
  hookstream replay --since t [--until t] [--source s] [--workspace w] [--dry-run] [--rate n] [--detach]
  hookstream replay --event <id> [--event <id>…] [--source s]
                                                           route stored events again, as new jobs

  filters: --status s --category c --source s --event-type t --workspace w --since t --until t --needs-manual
  times:   an ISO 8601 instant, or an age such as 30m, 2h, 7d (that long ago)
  --json   machine-readable output (what the API answered)

  environment: HOOKSTREAM_URL (default http://127.0.0.1:3003), ADMIN_TOKEN`;

const OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  status: { type: "string" },
  category: { type: "string" },
  source: { type: "string" },
  "event-type": { type: "string" },
  workspace: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  "needs-manual": { type: "boolean" },
  limit: { type: "string" },
  cursor: { type: "string" },
  all: { type: "boolean" },
  "dry-run": { type: "boolean" },
  rate: { type: "string" },
  detach: { type: "boolean" },
  note: { type: "string" },
  event: { type: "string", multiple: true },
  entry: { type: "string" },
  action: { type: "string" },
} as const;

/** An ISO instant as given, or an age (`2h`) as the instant that long before `now`. */
export function instant(text: string, now: Date): string {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const at = Date.parse(text);
    if (Number.isNaN(at)) throw new UsageError(`"${text}" is not a date`);
    return new Date(at).toISOString();
  }
  try {
    return new Date(now.getTime() - parseDuration(text)).toISOString();
  } catch {
    throw new UsageError(`"${text}" is neither an ISO 8601 instant nor an age such as 2h`);
  }
}

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive whole number`);
  return n;
}

export function parseCommand(argv: string[], now: Date): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals: p } = parsed;
  const json = v.json ?? false;
  if (v.help || p.length === 0 || p[0] === "help") return { kind: "help" };
  const at = (t: string | undefined) => (t === undefined ? undefined : instant(t, now));
  const filter = {
    status: v.status,
    category: v.category,
    source: v.source,
    eventType: v["event-type"],
    workspaceId: v.workspace,
    since: at(v.since),
    until: at(v.until),
    needsManualIntervention: v["needs-manual"] ? "true" : undefined,
  };
  const [group, action, id, ...extra] = p;
  const needId = () => {
    if (!id || extra.length) throw new UsageError(`usage: hookstream dlq ${action} <id>`);
    return id;
  };
  if (group === "replay") {
    if (action) throw new UsageError(`unexpected "${action}": hookstream replay takes options only`);
    const body = { eventIds: v.event, source: v.source, since: filter.since, until: filter.until, workspaceId: v.workspace, rate: positiveInt("rate", v.rate) };
    if (!body.eventIds && !body.since && !body.workspaceId) throw new UsageError("name the events to replay: --since (and --until), --event or --workspace");
    return { kind: "replay", body, dryRun: v["dry-run"] ?? false, detach: v.detach ?? false, json };
  }
  if (group !== "dlq") throw new UsageError(`unknown command "${group}"`);
  switch (action) {
    case "ls":
    case "list":
      return { kind: "dlq.list", query: { ...filter, limit: v.limit, cursor: v.cursor }, json };
    case "show":
      return { kind: "dlq.show", id: needId(), json };
    case "stats":
      return { kind: "dlq.stats", json };
    case "audit":
      return { kind: "dlq.audit", query: { entryId: v.entry, action: v.action, limit: v.limit, cursor: v.cursor }, json };
    case "resolve":
    case "discard": {
      const entry = needId();
      if (!v.note) throw new UsageError(`hookstream dlq ${action} needs --note "why"`);
      return { kind: "dlq.close", action, id: entry, note: v.note, json };
    }
    case "replay": {
      if (id) return { kind: "dlq.replay", id: needId(), json };
      const named = Object.values(filter).some((x) => x !== undefined);
      if (!named && !v.all) throw new UsageError("replay which entries? give an id, filters, or --all for every pending and failed entry");
      const body = { ...filter, needsManualIntervention: v["needs-manual"] || undefined, rate: positiveInt("rate", v.rate) };
      return { kind: "dlq.bulk", body, dryRun: v["dry-run"] ?? false, detach: v.detach ?? false, json };
    }
    default:
      throw new UsageError(action ? `unknown command "dlq ${action}"` : "usage: hookstream dlq ls|show|stats|replay|resolve|discard|audit");
  }
}
