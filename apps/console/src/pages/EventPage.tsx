import { useState } from "react";
import { api, type Attempt, type EventDetail } from "../api";
import { DataTable, EmptyRow, ErrorNotice, Head, Link, Status, Time, useAsync } from "../ui";

export function EventPage({ seq }: { seq: string }) {
  const { data: e, error } = useAsync(() => api<EventDetail>(`/admin/events/${encodeURIComponent(seq)}`), [seq], 5000);
  return (
    <>
      <p>
        <Link to="/events">← Events</Link>
      </p>
      <h1>Event {e?.eventId ?? ""}</h1>
      <ErrorNotice error={error} />
      {e && (
        <>
          <dl className="facts">
            <dt>Outcome</dt>
            <dd>
              <Status value={e.outcome} />
            </dd>
            <dt>Source</dt>
            <dd>{e.source}</dd>
            <dt>Type</dt>
            <dd>{e.eventType}</dd>
            <dt>Resource</dt>
            <dd>{e.resource ?? "—"}</dd>
            <dt>Received</dt>
            <dd>
              <Time at={e.receivedAt} />
            </dd>
            <dt>Routed</dt>
            <dd>
              <Time at={e.routedAt} />
            </dd>
            <dt>Stream sequence</dt>
            <dd>WEBHOOKS #{e.seq}</dd>
            <dt>Trace</dt>
            <dd>
              {e.trace?.url ? (
                <a href={e.trace.url} target="_blank" rel="noopener noreferrer">
                  Open trace {e.trace.traceId}
                </a>
              ) : (
                (e.trace?.traceId ?? "—")
              )}
            </dd>
          </dl>

          <h2>Fanned out to {e.workspaces.length} workspaces</h2>
          <p>{e.workspaces.length ? e.workspaces.join(", ") : "No workspace subscribes to it."}</p>

          <h2>Jobs</h2>
          <DataTable caption="Jobs of this event, with their attempts" hideCaption>
            <Head columns={["workspace", "status", "attempts", "last error", "response", "queued", "history"]} />
            <tbody>
              {e.jobs.map((j) => (
                <JobRow key={j.jobSeq} job={j} />
              ))}
              {e.jobs.length === 0 && <EmptyRow columns={7}>No job yet.</EmptyRow>}
            </tbody>
          </DataTable>
          {e.jobsTruncated && <p className="muted">Only the first {e.jobs.length}{e.jobCount === null ? "" : ` of ${e.jobCount}`} jobs are shown.</p>}

          {e.deadLetters.length > 0 && (
            <>
              <h2>Dead letters</h2>
              <ul>
                {e.deadLetters.map((d) => (
                  <li key={d.id}>
                    <Link to={`/dead-letters/${d.id}`}>Dead letter of {d.workspaceId ?? d.jobId}</Link> <Status value={d.status} />
                  </li>
                ))}
              </ul>
            </>
          )}

          <h2>Headers</h2>
          {e.headers ? (
            <DataTable caption="Headers as received; signatures are masked" hideCaption>
              <tbody>
                {Object.entries(e.headers).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td className="mono">{v}</td>
                  </tr>
                ))}
              </tbody>
            </DataTable>
          ) : (
            <p className="muted">No longer stored: WEBHOOKS has aged it out.</p>
          )}
          <h2>Payload</h2>
          {e.stored ? <pre className="payload" tabIndex={0} aria-label="Payload">{JSON.stringify(e.payload, null, 2)}</pre> : <p className="muted">No longer stored.</p>}
        </>
      )}
    </>
  );
}

function JobRow({ job }: { job: EventDetail["jobs"][number] }) {
  const [attempts, setAttempts] = useState<Attempt[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const toggle = async () => {
    if (attempts) return setAttempts(null);
    try {
      setAttempts((await api<{ items: Attempt[] }>(`/admin/jobs/${job.jobSeq}/attempts`)).items);
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      <tr>
        <td>
          {job.workspaceId}
          {job.replayOf && <span className="muted"> (replay)</span>}
        </td>
        <td>
          <Status value={job.status} />
        </td>
        <td>{job.attempts}</td>
        <td className="wrap">{job.error ?? "—"}</td>
        <td>{job.responseTimeMs === null ? "—" : `${job.responseTimeMs} ms`}</td>
        <td>
          <Time at={job.createdAt} />
        </td>
        <td>
          <button type="button" className="link" aria-expanded={attempts !== null} onClick={() => void toggle()}>
            {attempts ? "Hide attempts" : "Attempts"}
          </button>
        </td>
      </tr>
      {(attempts || error) && (
        <tr>
          <td colSpan={7}>
            <ErrorNotice error={error} />
            {attempts && attempts.length === 0 && <span className="muted">No failed attempt.</span>}
            {attempts && attempts.length > 0 && (
              <ol className="attempts">
                {attempts.map((a) => (
                  <li key={a.attempt}>
                    #{a.attempt} <Time at={a.at} /> {a.category}
                    {a.status ? ` HTTP ${a.status}` : ""}: {a.message} ({Math.round(a.durationMs)} ms)
                  </li>
                ))}
              </ol>
            )}
          </td>
        </tr>
      )}
    </>
  );
}
