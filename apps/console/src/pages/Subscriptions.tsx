import { type FormEvent, useState } from "react";
import { api, type Subscription, SOURCES } from "../api";
import { Choice, DataTable, EmptyRow, ErrorNotice, Field, useAsync } from "../ui";

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

export function Subscriptions({ canAct }: { canAct: boolean }) {
  const subs = useAsync(() => api<{ items: Subscription[] }>("/admin/subscriptions"), []);
  const [secret, setSecret] = useState<{ id: string; value: string } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [notice, setNotice] = useState("");

  const run = async (what: string, fn: () => Promise<void>) => {
    setError(null);
    try {
      await fn();
      setNotice(what);
    } catch (e) {
      setError(e as Error);
    }
    await subs.reload();
  };
  const remove = (s: Subscription) => {
    if (!confirm(`Remove the subscription of ${s.workspaceId} to ${s.source} ${s.resource}?`)) return;
    void run(`Removed the subscription of ${s.workspaceId}.`, () => api(`/admin/subscriptions/${s.id}`, { method: "DELETE" }));
  };
  const rotate = (s: Subscription) => {
    if (!confirm(`Rotate the destination secret of ${s.workspaceId}? The destination must be told the new one.`)) return;
    void run(`Rotated the secret of ${s.workspaceId}.`, async () => {
      const r = await api<Subscription>(`/admin/subscriptions/${s.id}/rotate-secret`, { method: "POST" });
      if (r.destinationSecret) setSecret({ id: s.id, value: r.destinationSecret });
    });
  };

  /** A secret the API generated comes back unmasked this once. */
  const added = (s: Subscription) => {
    if (s.destinationSecret && !s.destinationSecret.includes("…")) setSecret({ id: s.id, value: s.destinationSecret });
    setNotice(`Subscribed ${s.workspaceId} to ${s.source} ${s.resource}.`);
    void subs.reload();
  };

  return (
    <>
      <h1>Subscriptions</h1>
      <ErrorNotice error={subs.error ?? error} />
      <p role="status" className="notice">
        {notice}
      </p>
      {secret && <SecretOnce secret={secret.value} onDone={() => setSecret(null)} />}
      <DataTable caption="Which workspace receives which resource's webhooks, and where">
        <thead>
          <tr>
            <th scope="col">workspace</th>
            <th scope="col">source</th>
            <th scope="col">resource</th>
            <th scope="col">events</th>
            <th scope="col">destination</th>
            <th scope="col">secret</th>
            {canAct && <th scope="col">actions</th>}
          </tr>
        </thead>
        <tbody>
          {(subs.data?.items ?? []).map((s) => (
            <tr key={s.id}>
              <td>{s.workspaceId}</td>
              <td>{s.source}</td>
              <td>{s.resource}</td>
              <td>
                {s.eventTypes?.join(", ") ?? "all"}
                {s.actions ? ` (${s.actions.join(", ")})` : ""}
              </td>
              <td className="wrap">{s.destinationUrl ?? "—"}</td>
              <td className="mono">{s.destinationSecret ?? "—"}</td>
              {canAct && (
                <td className="nowrap">
                  <button type="button" className="secondary" disabled={!s.destinationUrl} onClick={() => rotate(s)} aria-label={`Rotate the secret of ${s.workspaceId} ${s.resource}`}>
                    Rotate secret
                  </button>{" "}
                  <button type="button" className="danger" onClick={() => remove(s)} aria-label={`Remove the subscription of ${s.workspaceId} to ${s.resource}`}>
                    Remove
                  </button>
                </td>
              )}
            </tr>
          ))}
          {subs.data && subs.data.items.length === 0 && <EmptyRow columns={canAct ? 7 : 6}>No subscription yet.</EmptyRow>}
        </tbody>
      </DataTable>
      {canAct && <AddSubscription onAdded={added} />}
    </>
  );
}

function AddSubscription({ onAdded }: { onAdded: (s: Subscription) => void }) {
  const [f, setF] = useState({ workspaceId: "", source: "github", resource: "", destinationUrl: "", eventTypes: "", actions: "" });
  const [error, setError] = useState<Error | null>(null);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const created = await api<Subscription>("/admin/subscriptions", {
        method: "POST",
        body: {
          workspaceId: f.workspaceId.trim(),
          source: f.source,
          resource: f.resource.trim(),
          destinationUrl: f.destinationUrl.trim() || undefined,
          eventTypes: list(f.eventTypes).length ? list(f.eventTypes) : undefined,
          actions: list(f.actions).length ? list(f.actions) : undefined,
        },
      });
      setF({ ...f, workspaceId: "", resource: "", destinationUrl: "", eventTypes: "", actions: "" });
      onAdded(created);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section aria-labelledby="add-title" className="panel">
      <h2 id="add-title">Add a subscription</h2>
      <ErrorNotice error={error} />
      <form className="filters" onSubmit={(e) => void submit(e)}>
        <Field label="Workspace" id="sub-ws">
          <input id="sub-ws" required value={f.workspaceId} onChange={set("workspaceId")} />
        </Field>
        <Choice label="Source" id="sub-source" value={f.source} onChange={set("source")} options={SOURCES} />
        <Field label="Resource" id="sub-resource" hint="owner/repo, or * for all">
          <input id="sub-resource" required value={f.resource} onChange={set("resource")} aria-describedby="sub-resource-hint" />
        </Field>
        <Field label="Destination URL" id="sub-url">
          <input id="sub-url" type="url" value={f.destinationUrl} onChange={set("destinationUrl")} placeholder="https://" />
        </Field>
        <Field label="Event types" id="sub-types" hint="comma-separated; empty for all">
          <input id="sub-types" value={f.eventTypes} onChange={set("eventTypes")} aria-describedby="sub-types-hint" />
        </Field>
        <Field label="Actions" id="sub-actions" hint="comma-separated; empty for all">
          <input id="sub-actions" value={f.actions} onChange={set("actions")} aria-describedby="sub-actions-hint" />
        </Field>
        <div className="actions">
          <button type="submit">Add</button>
        </div>
      </form>
    </section>
  );
}

/** A new destination secret, shown this once: the API only ever shows it masked afterwards. */
function SecretOnce({ secret, onDone }: { secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <section className="panel secret" aria-labelledby="secret-title" role="alert">
      <h2 id="secret-title">New destination secret</h2>
      <p>Give it to the destination now: it is shown only this once.</p>
      <code className="mono" tabIndex={0}>
        {secret}
      </code>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true))}
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" onClick={onDone}>
          I have saved it
        </button>
      </div>
    </section>
  );
}
