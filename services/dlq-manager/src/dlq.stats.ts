import { ErrorCategory } from "@hookstream/contracts";
import { DEAD_LETTER_STATUSES, type DeadLetterStatus } from "@hookstream/database";

export interface CountRow {
  status: DeadLetterStatus;
  category: ErrorCategory;
  n: number;
}

export interface DlqStats {
  total: number;
  byStatus: Record<DeadLetterStatus, number>;
  byCategory: Record<ErrorCategory, number>;
  /** Only the combinations that have entries. */
  byStatusAndCategory: CountRow[];
  /** Open entries (pending, retrying, failed) that no automatic step will fix. */
  needsManualIntervention: number;
  oldestPendingAt: string | null;
  oldestPendingAgeSeconds: number;
}

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Counts by status and category (every status and category present, zeros included) and the oldest pending age. */
export function summarize(rows: CountRow[], manual: number, oldestPending: Date | null, now: Date): DlqStats {
  const byStatus = zeros(DEAD_LETTER_STATUSES);
  const byCategory = zeros(ErrorCategory.options);
  for (const r of rows) {
    byStatus[r.status] += r.n;
    byCategory[r.category] += r.n;
  }
  return {
    total: rows.reduce((sum, r) => sum + r.n, 0),
    byStatus,
    byCategory,
    byStatusAndCategory: rows,
    needsManualIntervention: manual,
    oldestPendingAt: oldestPending?.toISOString() ?? null,
    oldestPendingAgeSeconds: oldestPending ? Math.max(0, Math.round((now.getTime() - oldestPending.getTime()) / 1000)) : 0,
  };
}
