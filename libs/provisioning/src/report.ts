import type { FieldChange, ProvisionReport } from "@hookstream/jetstream";
import { formatByteSize, formatDuration } from "@hookstream/platform";

const NANOSECOND_FIELDS = new Set(["max_age", "duplicate_window", "ack_wait", "backoff", "inactive_threshold"]);
const BYTE_FIELDS = new Set(["max_bytes", "max_msg_size"]);

function show(field: string, value: unknown): string {
  if (NANOSECOND_FIELDS.has(field)) {
    const ns = (v: unknown) => (typeof v === "number" ? (v === 0 ? "unlimited" : formatDuration(v / 1e6)) : JSON.stringify(v));
    return Array.isArray(value) ? value.map(ns).join(",") : ns(value);
  }
  if (BYTE_FIELDS.has(field) && typeof value === "number") return formatByteSize(value);
  return value === undefined ? "unset" : JSON.stringify(value);
}

/** Lowering a limit takes effect on what is stored (measured on nats-server 2.9): the operator should know. */
function consequence({ field, from, to }: FieldChange): string {
  const lowered = typeof to === "number" && to > 0 && (typeof from !== "number" || from <= 0 || to < from);
  if (!lowered) return "";
  if (field === "max_age") return " (older messages are removed now)";
  if (field === "max_bytes") return " (the oldest messages over it are removed now, whatever the discard policy)";
  return "";
}

/** `stream JOBS: max_age 7d → 3d (older messages are removed now)`: one line per updated stream or consumer. */
export function describeUpdate(update: ProvisionReport["updated"][number]): string {
  const changes = update.changes.map((c) => `${c.field} ${show(c.field, c.from)} → ${show(c.field, c.to)}${consequence(c)}`);
  return `${update.name}: ${changes.join(", ")}`;
}
