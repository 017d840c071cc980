import { api, type Overview as OverviewData } from "../api";
import { PerMinuteChart } from "../chart";
import { age, DataTable, EmptyRow, ErrorNotice, Head, Link, Status, Time, useAsync } from "../ui";

const MINUTES = 60;

export function Overview() {
  const { data, error } = useAsync(() => api<OverviewData>(`/admin/overview?minutes=${MINUTES}`), [], 10_000);
  const bySource = new Map<string, Map<string, number>>();
  for (const w of data?.webhooksPerMinute ?? []) {
    const m = bySource.get(w.source) ?? new Map<string, number>();
    m.set(w.outcome, (m.get(w.outcome) ?? 0) + w.count);
    bySource.set(w.source, m);
  }
  const outcomes = ["delivered", "in_flight", "dead_lettered", "no_subscribers"];
  const webhooks = (data?.webhooksPerMinute ?? []).reduce((n, w) => n + w.count, 0);
  const breakers = data?.circuitBreakers.items ?? [];
  return (
    <>
      <h1>Overview</h1>
      <ErrorNotice error={error} />
      <section aria-label="Key figures" className="cards">
        <div className="card">
          <span className="figure">{data ? webhooks : "…"}</span>
          <span>webhooks in the last hour</span>
        </div>
        <div className="card">
          <span className="figure">{data?.dlq.pending ?? "…"}</span>
          <span>
            <Link to="/dead-letters">dead letters pending</Link>
          </span>
        </div>
        <div className="card">
          <span className="figure">{data ? (data.dlq.oldestPendingAt ? age(data.dlq.oldestPendingAgeSeconds) : "none") : "…"}</span>
          <span>oldest pending dead letter</span>
        </div>
        <div className="card">
          <span className="figure">{data ? breakers.length : "…"}</span>
          <span>open circuit breakers</span>
        </div>
      </section>
      {data && (
        <div className="grid-2">
          <PerMinuteChart title="Webhooks per minute" minutes={MINUTES} rows={data.webhooksPerMinute.map((w) => ({ minute: w.minute, key: w.outcome, count: w.count }))} />
          <PerMinuteChart title="Jobs per minute" minutes={MINUTES} rows={data.jobsPerMinute.map((j) => ({ minute: j.minute, key: j.status, count: j.count }))} />
        </div>
      )}
      <h2>Webhooks by source and outcome</h2>
      <DataTable caption="Webhooks in the last hour by source and outcome" hideCaption>
        <thead>
          <tr>
            <th scope="col">source</th>
            {outcomes.map((o) => (
              <th scope="col" key={o}>
                {o.replace(/_/g, " ")}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[...bySource].map(([source, counts]) => (
            <tr key={source}>
              <th scope="row">{source}</th>
              {outcomes.map((o) => (
                <td key={o}>{counts.get(o) ?? 0}</td>
              ))}
            </tr>
          ))}
          {bySource.size === 0 && <EmptyRow columns={outcomes.length + 1}>No webhooks in the last hour.</EmptyRow>}
        </tbody>
      </DataTable>
      <h2>Open circuit breakers</h2>
      {data?.circuitBreakers.error && <p className="error">The workers' breaker states cannot be read: {data.circuitBreakers.error}</p>}
      {data?.circuitBreakers.truncated && <p className="muted">Only {breakers.length} of them are listed.</p>}
      <DataTable caption="Destination hosts whose circuit breaker is open or half-open" hideCaption>
        <Head columns={["host", "state", "worker", "since", "next probe"]} />
        <tbody>
          {breakers.map((b) => (
            <tr key={`${b.worker}-${b.host}`}>
              <td>{b.host}</td>
              <td>
                <Status value={b.state} />
              </td>
              <td>{b.worker}</td>
              <td>
                <Time at={b.at} />
              </td>
              <td>
                <Time at={b.retryAt} />
              </td>
            </tr>
          ))}
          {breakers.length === 0 && <EmptyRow columns={5}>Every destination host is reachable.</EmptyRow>}
        </tbody>
      </DataTable>
    </>
  );
}
