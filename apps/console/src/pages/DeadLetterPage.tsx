import { useState } from "react";
import { api, type DeadLetter } from "../api";
import { DeadLetterActions } from "../dead-letter.actions";
import { DataTable, ErrorNotice, Head, Link, Status, Time, useAsync } from "../ui";

const OPEN = ["pending", "retrying", "failed"];

export function DeadLetterPage({ id, canAct }: { id: string; canAct: boolean }) {
  const { data: d, error, reload } = useAsync(() => api<DeadLetter>(`/admin/dlq/${encodeURIComponent(id)}`), [id], 2000);
  const [actionError, setActionError] = useState<Error | null>(null);
  const [notice, setNotice] = useState("");
  const act = async (what: string, path: string, body?: unknown) => {
    setActionError(null);
    try {
      await api(`/admin/dlq/${id}/${path}`, { method: "POST", body });
      setNotice(`${what} accepted.`);
    } catch (e) {
      setActionError(e as Error);
    }
    await reload();
  };
  const open = d && OPEN.includes(d.status);
  return (
    <>
      <p>
        <Link to="/dead-letters">← Dead letters</Link>
      </p>
      <h1>Dead letter {d ? `of ${d.eventId ?? d.id}` : ""}</h1>
      <ErrorNotice error={error ?? actionError} />
      {d && (
        <>
          <p>
            Status: <Status value={d.status} />
            {d.needsManualIntervention && <span className="badge badge-manual">needs a person</span>}
          </p>
          <DeadLetterActions
            label="Actions on this dead letter"
            canAct={canAct}
            count={1}
            canReplay={d.status === "pending" || d.status === "failed"}
            canClose={!!open}
            notice={notice}
            onAct={(verb, action, body) => void act(verb, action, body)}
          />
          <dl className="facts">
            <dt>Event</dt>
            <dd>{d.job?.event.seq ? <Link to={`/events/${d.job.event.seq}`}>{d.eventId}</Link> : (d.eventId ?? "—")}</dd>
            <dt>Source, type</dt>
            <dd>
              {d.source} {d.eventType}
            </dd>
            <dt>Workspace</dt>
            <dd>{d.workspaceId ?? "—"}</dd>
            <dt>Destination</dt>
            <dd className="wrap">{d.destinationUrl ?? "—"}</dd>
            <dt>Why</dt>
            <dd>
              {d.reason.replace(/_/g, " ")}, {d.errorCategory}: {d.errorMessage ?? "—"}
            </dd>
            <dt>Deliveries</dt>
            <dd>{d.deliveryCount}</dd>
            <dt>Created</dt>
            <dd>
              <Time at={d.createdAt} />
            </dd>
            <dt>Next automatic retry</dt>
            <dd>
              <Time at={d.nextRetryAt} />
            </dd>
            {d.reprocessedAt && (
              <>
                <dt>Reprocessed</dt>
                <dd>
                  <Time at={d.reprocessedAt} />
                </dd>
              </>
            )}
            {d.resolvedAt && (
              <>
                <dt>Closed by</dt>
                <dd>
                  {d.resolvedBy}, <Time at={d.resolvedAt} />: “{d.resolutionNote}”
                </dd>
              </>
            )}
          </dl>
          <h2>Attempts</h2>
          <DataTable caption="Every failed attempt" hideCaption>
            <Head columns={["#", "when", "category", "HTTP", "message", "took"]} />
            <tbody>
              {d.attempts.map((a, i) => (
                <tr key={i}>
                  <td>{a.attempt}</td>
                  <td>
                    <Time at={a.at} />
                  </td>
                  <td>{a.category}</td>
                  <td>{a.status ?? "—"}</td>
                  <td className="wrap">{a.message}</td>
                  <td>{Math.round(a.durationMs)} ms</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
          <h2>Replays</h2>
          {d.replays?.length ? (
            <DataTable caption="Replays of this dead letter" hideCaption>
              <Head columns={["#", "trigger", "by", "asked", "outcome"]} />
              <tbody>
                {d.replays.map((r) => (
                  <tr key={r.n}>
                    <td>{r.n}</td>
                    <td>{r.trigger}</td>
                    <td>{r.requestedBy}</td>
                    <td>
                      <Time at={r.requestedAt} />
                    </td>
                    <td>
                      <Status value={r.outcome} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </DataTable>
          ) : (
            <p className="muted">Not replayed yet.</p>
          )}
        </>
      )}
    </>
  );
}
