import { type FormEvent, useEffect, useState } from "react";
import { api, type EventSummary, type Page, query, SOURCES } from "../api";
import { Choice, DataTable, EmptyRow, ErrorNotice, Field, Head, instant, Link, Status, Time } from "../ui";

interface Filter {
  eventId: string;
  source: string;
  eventType: string;
  resource: string;
  workspaceId: string;
  since: string;
  until: string;
}

const EMPTY: Filter = { eventId: "", source: "", eventType: "", resource: "", workspaceId: "", since: "", until: "" };

/** The search kept in the page's query string, so that Back from an event returns to its results. */
function fromLocation(): Filter {
  const q = new URLSearchParams(location.search);
  return Object.fromEntries(Object.keys(EMPTY).map((k) => [k, q.get(k) ?? ""])) as unknown as Filter;
}

export function Events() {
  const [form, setForm] = useState<Filter>(fromLocation);
  const [items, setItems] = useState<EventSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async (after: string | null) => {
    setBusy(true);
    setError(null);
    try {
      const f = { ...form, eventId: form.eventId.trim(), since: instant(form.since), until: instant(form.until), cursor: after ?? undefined };
      const page = await api<Page<EventSummary>>(`/admin/events${query(f)}`);
      setItems((prev) => (after && prev ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    history.replaceState(null, "", `${location.pathname}${query({ ...form })}`);
    void load(null);
  };
  useEffect(() => {
    if (location.search) void load(null);
    // Only when the page opens with a search in its address.
  }, []);
  const set = (k: keyof Filter) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  return (
    <>
      <h1>Events</h1>
      <form className="filters" onSubmit={submit} aria-label="Search events">
        <Field label="Event id" id="ev-id">
          <input id="ev-id" value={form.eventId} onChange={set("eventId")} autoComplete="off" spellCheck={false} />
        </Field>
        <Choice label="Source" id="ev-source" value={form.source} onChange={set("source")} options={SOURCES} any />
        <Field label="Event type" id="ev-type">
          <input id="ev-type" value={form.eventType} onChange={set("eventType")} placeholder="pull_request" />
        </Field>
        <Field label="Resource" id="ev-resource">
          <input id="ev-resource" value={form.resource} onChange={set("resource")} placeholder="acme/api" />
        </Field>
        <Field label="Workspace" id="ev-ws">
          <input id="ev-ws" value={form.workspaceId} onChange={set("workspaceId")} />
        </Field>
        <Field label="Received from" id="ev-since">
          <input id="ev-since" type="datetime-local" step="1" value={form.since} onChange={set("since")} />
        </Field>
        <Field label="Received before" id="ev-until">
          <input id="ev-until" type="datetime-local" step="1" value={form.until} onChange={set("until")} />
        </Field>
        <div className="actions">
          <button type="submit" disabled={busy}>
            Search
          </button>
          <button type="button" className="secondary" onClick={() => setForm(EMPTY)}>
            Clear
          </button>
        </div>
      </form>
      <ErrorNotice error={error} />
      <p className="visually-hidden" aria-live="polite">
        {items ? `${items.length} events found` : ""}
      </p>
      {items && (
        <DataTable caption="Events, newest first">
          <Head columns={["received", "event id", "source", "type", "resource", "workspaces", "outcome"]} />
          <tbody>
            {items.map((e) => (
              <tr key={e.seq}>
                <td>
                  <Time at={e.receivedAt} />
                </td>
                <td>
                  <Link to={`/events/${e.seq}`}>{e.eventId}</Link>
                </td>
                <td>{e.source}</td>
                <td>{e.eventType}</td>
                <td>{e.resource ?? <span className="muted">—</span>}</td>
                <td>{e.workspaces.length}</td>
                <td>
                  <Status value={e.outcome} />
                </td>
              </tr>
            ))}
            {items.length === 0 && <EmptyRow columns={7}>No event matches.</EmptyRow>}
          </tbody>
        </DataTable>
      )}
      {cursor && (
        <button type="button" className="secondary" disabled={busy} onClick={() => void load(cursor)}>
          Load more
        </button>
      )}
    </>
  );
}
