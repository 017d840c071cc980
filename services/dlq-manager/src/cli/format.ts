/** What the CLI shows of an entry, as the API sends it (dates as strings). */
export interface EntryView {
  id: string;
  status: string;
  errorCategory: string;
  errorMessage: string | null;
  source: string | null;
  eventType: string | null;
  workspaceId: string | null;
  jobId: string | null;
  eventId: string | null;
  stream: string;
  streamSeq: string | null;
  subject: string;
  reason: string;
  destinationUrl: string | null;
  deliveryCount: number;
  retryCount: number;
  replayCount: number;
  nextRetryAt: string | null;
  needsManualIntervention: boolean;
  firstFailedAt: string | null;
  lastFailedAt: string | null;
  createdAt: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolutionNote: string | null;
  traceId: string | null;
  attempts: { jobSeq?: number; attempt: number; category: string; message: string; status?: number; at: string; durationMs: number }[];
  replays?: { n: number; trigger: string; requestedBy: string; requestedAt: string; outcome: string; stream: string; streamSeq: string | null }[];
}

export interface StatsView {
  total: number;
  byStatus: Record<string, number>;
  byCategory: Record<string, number>;
  needsManualIntervention: number;
  oldestPendingAgeSeconds: number;
}

export interface OperationView {
  id: string;
  kind: string;
  status: string;
  total: number;
  done: number;
  skipped: number;
  error: string | null;
}

/** Columns padded to their widest cell; cells longer than `max` are cut with an ellipsis. */
export function table(headers: string[], rows: string[][], max = 48): string {
  const cut = (s: string) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
  const cells = [headers, ...rows].map((r) => r.map(cut));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n");
}

/** `3d 4h`, `12m 5s`, `8s`: the two largest units. */
export function humanDuration(seconds: number): string {
  const units: [string, number][] = [["d", 86_400], ["h", 3600], ["m", 60], ["s", 1]];
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(seconds));
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (parts.length === 0 && unit === "s")) parts.push(`${n}${unit}`);
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

const ago = (iso: string | null, now: Date) => (iso ? `${humanDuration((now.getTime() - Date.parse(iso)) / 1000)} ago` : "-");

export function entryTable(items: EntryView[], now: Date): string {
  if (items.length === 0) return "no entries";
  return table(
    ["ID", "STATUS", "CATEGORY", "SOURCE/EVENT", "WORKSPACE", "TRIES", "LAST FAILURE", "ERROR"],
    items.map((e) => [
      e.id,
      e.status + (e.needsManualIntervention ? "!" : ""),
      e.errorCategory,
      `${e.source ?? "-"}/${e.eventType ?? "-"}`,
      e.workspaceId ?? "-",
      String(e.deliveryCount),
      ago(e.lastFailedAt, now),
      e.errorMessage ?? "",
    ]),
  );
}

export function entryDetail(e: EntryView, now: Date): string {
  const field = (k: string, v: string | number | null) => `${`${k}:`.padEnd(20)}${v ?? "-"}`;
  const lines = [
    field("id", e.id),
    field("status", `${e.status}${e.needsManualIntervention ? " (needs manual intervention)" : ""}`),
    field("error", `${e.errorCategory}: ${e.errorMessage ?? "-"}`),
    field("source / event", `${e.source ?? "-"} / ${e.eventType ?? "-"} (event ${e.eventId ?? "-"})`),
    field("workspace", e.workspaceId),
    field("job", e.jobId),
    field("destination", e.destinationUrl),
    field("message", `${e.stream} #${e.streamSeq ?? "-"} on ${e.subject || "-"} (${e.reason})`),
    field("deliveries", e.deliveryCount),
    field("failed", `${e.firstFailedAt ?? "-"} … ${e.lastFailedAt ?? "-"}`),
    field("automatic retries", `${e.retryCount}${e.nextRetryAt ? `, next at ${e.nextRetryAt}` : ""}`),
    field("trace", e.traceId),
    field("dead-lettered", `${e.createdAt} (${ago(e.createdAt, now)})`),
  ];
  if (e.resolvedAt) lines.push(field(e.status === "discarded" ? "discarded" : "resolved", `${e.resolvedAt} by ${e.resolvedBy ?? "-"}: ${e.resolutionNote ?? ""}`));
  lines.push("", "attempts:");
  lines.push(
    e.attempts.length === 0
      ? "  none recorded"
      : table(
          ["  JOB #", "ATTEMPT", "AT", "CATEGORY", "HTTP", "MS", "MESSAGE"],
          e.attempts.map((a) => [`  ${a.jobSeq ?? "-"}`, String(a.attempt), a.at, a.category, a.status === undefined ? "-" : String(a.status), String(a.durationMs), a.message]),
          80,
        ),
  );
  if (e.replays?.length) {
    lines.push("", "replays:");
    lines.push(
      table(
        ["  N", "TRIGGER", "BY", "AT", "TO", "OUTCOME"],
        e.replays.map((r) => [`  ${r.n}`, r.trigger, r.requestedBy, r.requestedAt, `${r.stream} #${r.streamSeq ?? "-"}`, r.outcome]),
      ),
    );
  }
  return lines.join("\n");
}

export function statsSummary(s: StatsView): string {
  const counts = (o: Record<string, number>) =>
    Object.entries(o)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ") || "none";
  return [
    `entries:              ${s.total}`,
    `by status:            ${counts(s.byStatus)}`,
    `by category:          ${counts(s.byCategory)}`,
    `needs intervention:   ${s.needsManualIntervention}`,
    `oldest pending:       ${s.oldestPendingAgeSeconds > 0 ? humanDuration(s.oldestPendingAgeSeconds) : "-"}`,
  ].join("\n");
}

/** `[#########-----------] 45% 450/1000` */
export function progressBar(done: number, total: number, width = 30): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.round(share * 100)}% ${done}/${total}`;
}

export function operationSummary(op: OperationView): string {
  const what = op.kind === "event_replay" ? "events" : "entries";
  const skipped = op.skipped ? `, ${op.skipped} skipped (no longer replayable)` : "";
  return `${op.status}: ${op.done} of ${op.total} ${what} replayed${skipped}${op.error ? ` — ${op.error}` : ""} (operation ${op.id})`;
}
