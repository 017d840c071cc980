import { type FormEvent, useEffect, useState } from "react";
import { api, type AuditRecord, type DeadLetter, DLQ_STATUSES, ERROR_CATEGORIES, type Operation, type Page, query, SOURCES } from "../api";
import { DeadLetterActions } from "../dead-letter.actions";
import { Choice, DataTable, EmptyRow, ErrorNotice, Field, Head, instant, Link, Status, Time, useAsync } from "../ui";

interface Filter {
  status: string;
  category: string;
  source: string;
  eventType: string;
  workspaceId: string;
  needsManualIntervention: string;
  since: string;
  until: string;
}

const EMPTY: Filter = { status: "", category: "", source: "", eventType: "", workspaceId: "", needsManualIntervention: "", since: "", until: "" };

/** The filter as the API takes it: only set fields, instants in ISO. */
function apiFilter(f: Filter) {
  return {
    status: f.status || undefined,
    category: f.category || undefined,
    source: f.source || undefined,
    eventType: f.eventType || undefined,
    workspaceId: f.workspaceId || undefined,
    needsManualIntervention: f.needsManualIntervention ? f.needsManualIntervention === "true" : undefined,
    since: instant(f.since),
    until: instant(f.until),
  };
}

export function DeadLetters({ canAct }: { canAct: boolean }) {
  const [form, setForm] = useState<Filter>(EMPTY);
  const [applied, setApplied] = useState<Filter>(EMPTY);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState("");
  const [actionError, setActionError] = useState<Error | null>(null);
  const list = useAsync(() => api<Page<DeadLetter>>(`/admin/dlq${query({ ...apiFilter(applied), limit: 100 })}`), [applied], 5000);
  const items = list.data?.items ?? [];
  const set = (k: keyof Filter) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSelected(new Set());
    setApplied(form);
  };
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (!next.delete(id)) next.add(id);
    setSelected(next);
  };
  const allSelected = items.length > 0 && items.every((d) => selected.has(d.id));

  /** Acts on every selected entry, one request each; says how many the API accepted. */
  const act = async (what: string, request: (id: string) => Promise<unknown>) => {
    setActionError(null);
    const ids = [...selected];
    const results = await Promise.allSettled(ids.map(request));
    const failed = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as Error).message] : []));
    setNotice(`${what}: ${ids.length - failed.length} of ${ids.length} accepted.${failed.length ? ` Refused: ${[...new Set(failed)].join("; ")}` : ""}`);
    setSelected(new Set());
    await list.reload();
  };

  return (
    <>
      <h1>Dead letters</h1>
      <form className="filters" onSubmit={submit} aria-label="Filter dead letters">
        <Choice label="Status" id="dl-status" value={form.status} onChange={set("status")} options={DLQ_STATUSES} any />
        <Choice label="Error category" id="dl-category" value={form.category} onChange={set("category")} options={ERROR_CATEGORIES} any />
        <Choice label="Source" id="dl-source" value={form.source} onChange={set("source")} options={SOURCES} any />
        <Field label="Event type" id="dl-type">
          <input id="dl-type" value={form.eventType} onChange={set("eventType")} />
        </Field>
        <Field label="Workspace" id="dl-ws">
          <input id="dl-ws" value={form.workspaceId} onChange={set("workspaceId")} />
        </Field>
        <Choice label="Needs a person" id="dl-manual" value={form.needsManualIntervention} onChange={set("needsManualIntervention")} options={[["true", "yes"], ["false", "no"]]} any />
        <Field label="Created from" id="dl-since">
          <input id="dl-since" type="datetime-local" step="1" value={form.since} onChange={set("since")} />
        </Field>
        <Field label="Created before" id="dl-until">
          <input id="dl-until" type="datetime-local" step="1" value={form.until} onChange={set("until")} />
        </Field>
        <div className="actions">
          <button type="submit">Filter</button>
        </div>
      </form>
      <ErrorNotice error={list.error ?? actionError} />

      <DeadLetterActions
        label="Actions on the selected dead letters"
        canAct={canAct}
        count={selected.size}
        suffix=" selected"
        canReplay={selected.size > 0}
        canClose={selected.size > 0}
        notice={notice}
        onAct={(verb, action, body) => void act(verb, (id) => api(`/admin/dlq/${id}/${action}`, { method: "POST", body }))}
      >
        <span>{selected.size} selected</span>
      </DeadLetterActions>

      <DataTable caption="Dead letters, newest first">
        <thead>
          <tr>
            {canAct && (
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every dead letter shown"
                  checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((d) => d.id)))}
                />
              </th>
            )}
            <th scope="col">created</th>
            <th scope="col">event</th>
            <th scope="col">workspace</th>
            <th scope="col">status</th>
            <th scope="col">category</th>
            <th scope="col">error</th>
            <th scope="col">attempts</th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id}>
              {canAct && (
                <td>
                  <input type="checkbox" aria-label={`Select dead letter of ${d.eventId ?? d.id} for ${d.workspaceId ?? "no workspace"}`} checked={selected.has(d.id)} onChange={() => toggle(d.id)} />
                </td>
              )}
              <td>
                <Time at={d.createdAt} />
              </td>
              <td>
                <Link to={`/dead-letters/${d.id}`}>{d.eventId ?? d.id}</Link>
                <div className="muted">
                  {d.source} {d.eventType}
                </div>
              </td>
              <td>{d.workspaceId ?? "—"}</td>
              <td>
                <Status value={d.status} />
                {d.needsManualIntervention && <span className="badge badge-manual">needs a person</span>}
              </td>
              <td>{d.errorCategory}</td>
              <td className="wrap">{d.errorMessage ?? "—"}</td>
              <td>{d.deliveryCount}</td>
            </tr>
          ))}
          {list.data && items.length === 0 && <EmptyRow columns={canAct ? 8 : 7}>No dead letter matches.</EmptyRow>}
        </tbody>
      </DataTable>

      {canAct && <BulkReplay filter={apiFilter(applied)} onDone={() => void list.reload()} />}
      <AuditTrail />
    </>
  );
}

/** Replays every entry matching the applied filter: a dry run counts them first, then progress is followed live. */
function BulkReplay({ filter, onDone }: { filter: ReturnType<typeof apiFilter>; onDone: () => void }) {
  const [count, setCount] = useState<number | null>(null);
  const [operation, setOperation] = useState<Operation | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const key = JSON.stringify(filter);
  useEffect(() => setCount(null), [key]);
  useEffect(() => {
    if (!operation || operation.status !== "running") return;
    const timer = setTimeout(async () => {
      try {
        const next = await api<Operation>(`/admin/operations/${operation.id}`);
        setOperation(next);
        if (next.status !== "running") onDone();
      } catch (e) {
        setError(e as Error);
      }
    }, 1000);
    return () => clearTimeout(timer);
  }, [operation, onDone]);

  const dryRun = async () => {
    setError(null);
    setOperation(null);
    try {
      setCount((await api<{ matched: number }>("/admin/dlq/replay", { method: "POST", body: { ...filter, dryRun: true } })).matched);
    } catch (e) {
      setError(e as Error);
    }
  };
  const run = async () => {
    setError(null);
    try {
      const started = await api<{ operationId: string; matched: number }>("/admin/dlq/replay", { method: "POST", body: filter });
      setCount(null);
      setOperation({ id: started.operationId, status: "running", total: started.matched, done: 0, skipped: 0, error: null });
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <section aria-labelledby="bulk-title" className="panel">
      <h2 id="bulk-title">Bulk replay by filter</h2>
      <p className="muted">Replays every pending or failed dead letter that matches the filter above, at the configured rate.</p>
      <ErrorNotice error={error} />
      {count === null ? (
        <button type="button" className="secondary" onClick={() => void dryRun()}>
          Count matching dead letters
        </button>
      ) : (
        <div className="actions">
          <span>{count} dead letters would be replayed.</span>
          <button type="button" disabled={count === 0} onClick={() => void run()}>
            Replay {count}
          </button>
          <button type="button" className="secondary" onClick={() => setCount(null)}>
            Cancel
          </button>
        </div>
      )}
      {operation && (
        <div aria-live="polite">
          <label htmlFor="bulk-progress">
            {operation.status === "running" ? "Replaying" : `Replay ${operation.status}`}: {operation.done + operation.skipped} of {operation.total}
            {operation.skipped ? ` (${operation.skipped} no longer replayable)` : ""}
          </label>
          <progress id="bulk-progress" max={Math.max(operation.total, 1)} value={operation.done + operation.skipped} />
          {operation.error && <p className="error">{operation.error}</p>}
        </div>
      )}
    </section>
  );
}

function AuditTrail() {
  const { data, error } = useAsync(() => api<Page<AuditRecord>>("/admin/dlq/audit?limit=50"), [], 10_000);
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <ErrorNotice error={error} />
      <DataTable caption="Who did what to the dead letters, newest first" hideCaption>
        <Head columns={["when", "who", "action", "outcome", "what"]} />
        <tbody>
          {(data?.items ?? []).map((a) => (
            <tr key={a.id}>
              <td>
                <Time at={a.at} />
              </td>
              <td>{a.actor}</td>
              <td>{a.action.replace(/_/g, " ")}</td>
              <td>
                <Status value={a.outcome} />
              </td>
              <td className="wrap">
                {a.entryId && <Link to={`/dead-letters/${a.entryId}`}>entry</Link>} {describe(a.details)}
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </section>
  );
}

function describe(details: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof details.note === "string") parts.push(`“${details.note}”`);
  if (typeof details.matched === "number") parts.push(`${details.matched} matched`);
  if (typeof details.reason === "string") parts.push(details.reason);
  return parts.join(", ");
}
