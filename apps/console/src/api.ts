// The admin API on this same origin. The token lives in this tab's sessionStorage (gone when the tab closes),
// is sent only as an Authorization header, and never appears in a URL.

// What the services share with the console comes from single files of libs/contracts, never its index: that also
// holds stream configs and node-only helpers (node:crypto), which have no place in a browser bundle.
import { ApiError } from "../../../libs/contracts/src/api-error";
import type { EventSummary, JobView } from "../../../libs/contracts/src/event-views";

export { ApiError };
export type { EventSummary, JobView };

const TOKEN_KEY = "hookstream.adminToken";

export type Role = "admin" | "read";

let token: string | null = sessionStorage.getItem(TOKEN_KEY);
const signedOutListeners = new Set<() => void>();

export const hasToken = () => token !== null;

export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export function signOut(): void {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  for (const l of signedOutListeners) l();
}

/** Checks a pasted token against the API and keeps it only if it is valid; returns what it may do. */
export async function signIn(candidate: string): Promise<Role> {
  const res = await fetch("/admin/whoami", { headers: { authorization: `Bearer ${candidate}` } });
  if (res.status === 401) throw new ApiError(401, "unauthorized", "That token is not valid.");
  if (!res.ok) throw new ApiError(res.status, "unavailable", `The API answered ${res.status}.`);
  const { role } = (await res.json()) as { role: Role };
  token = candidate;
  sessionStorage.setItem(TOKEN_KEY, candidate);
  return role;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  if (!token) throw new ApiError(401, "unauthorized", "Signed out.");
  const res = await fetch(path, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  if (res.status === 401) signOut();
  if (!res.ok) {
    const e = (body ?? {}) as { code?: string; message?: string | string[] };
    const message = Array.isArray(e.message) ? e.message.join("; ") : (e.message ?? `The API answered ${res.status}.`);
    throw new ApiError(res.status, e.code ?? "error", message);
  }
  return body as T;
}

/** `?a=1&b=x` from the set fields of a filter. */
export function query(fields: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** An event the API has stored but not routed yet has no `routedAt` and no `jobCount`. */
export interface EventDetail extends Omit<EventSummary, "routedAt" | "jobCount"> {
  routedAt: string | null;
  jobCount: number | null;
  stored: boolean;
  headers: Record<string, string> | null;
  payload: unknown;
  trace: { traceId: string; url: string | null } | null;
  jobs: JobView[];
  jobsTruncated: boolean;
  deadLetters: { id: string; jobId: string | null; workspaceId: string | null; status: string }[];
}

export interface Attempt {
  attempt: number;
  category: string;
  message: string;
  status?: number;
  at: string;
  durationMs: number;
  jobSeq?: number;
}

export interface DeadLetter {
  id: string;
  stream: string;
  reason: string;
  jobId: string | null;
  job: { event: { seq: number } } | null;
  eventId: string | null;
  source: string | null;
  eventType: string | null;
  workspaceId: string | null;
  destinationUrl: string | null;
  errorCategory: string;
  errorMessage: string | null;
  deliveryCount: number;
  attempts: Attempt[];
  status: string;
  retryCount: number;
  replayCount: number;
  nextRetryAt: string | null;
  needsManualIntervention: boolean;
  reprocessedAt: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolutionNote: string | null;
  traceId: string | null;
  createdAt: string;
  replays?: { n: number; trigger: string; requestedBy: string; requestedAt: string; outcome: string; finishedAt: string | null }[];
}

export interface AuditRecord {
  id: string;
  at: string;
  actor: string;
  action: string;
  entryId: string | null;
  operationId: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

export interface Operation {
  id: string;
  status: "running" | "done" | "failed" | "interrupted";
  total: number;
  done: number;
  skipped: number;
  error: string | null;
}

export interface Subscription {
  id: string;
  workspaceId: string;
  source: string;
  resource: string;
  eventTypes: string[] | null;
  actions: string[] | null;
  destinationUrl: string | null;
  destinationSecret: string | null;
  createdAt: string;
}

export interface Overview {
  minutes: number;
  webhooksPerMinute: { minute: string; source: string; outcome: string; count: number }[];
  jobsPerMinute: { minute: string; status: string; count: number }[];
  dlq: { pending: number; failed: number; needsManualIntervention: number; oldestPendingAt: string | null; oldestPendingAgeSeconds: number };
  circuitBreakers: { items: { host: string; state: string; worker: string; at: string; retryAt: string | null }[]; truncated: boolean; error?: string };
}

export const SOURCES = ["github", "stripe", "standard", "meta", "inngest", "hmac"] as const;
export const DLQ_STATUSES = ["pending", "retrying", "reprocessed", "resolved", "discarded", "failed"] as const;
export const ERROR_CATEGORIES = ["timeout", "validation", "external_api", "rate_limit", "unknown"] as const;
