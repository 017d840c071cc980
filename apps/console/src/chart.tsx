import { DataTable } from "./ui";

export interface Series {
  minute: string;
  key: string;
  count: number;
}

const COLORS: Record<string, string> = {
  delivered: "c-ok",
  succeeded: "c-ok",
  no_subscribers: "c-muted",
  stale: "c-muted",
  in_flight: "c-info",
  queued: "c-info",
  started: "c-info",
  failed: "c-warn",
  dead_lettered: "c-bad",
};

/**
 * Stacked bars per minute as SVG (no chart library, no inline style: the CSP forbids it), with the same figures
 * as a table for screen readers and for anyone who wants the numbers.
 */
export function PerMinuteChart({ title, rows, minutes }: { title: string; rows: Series[]; minutes: number }) {
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const slots = Array.from({ length: minutes }, (_, i) => now - (minutes - 1 - i) * 60_000);
  const keys = [...new Set(rows.map((r) => r.key))].sort();
  const byMinute = new Map<number, Map<string, number>>();
  for (const r of rows) {
    const m = new Date(r.minute).getTime();
    const counts = byMinute.get(m) ?? new Map<string, number>();
    counts.set(r.key, (counts.get(r.key) ?? 0) + r.count);
    byMinute.set(m, counts);
  }
  const max = Math.max(1, ...[...byMinute.values()].map((c) => [...c.values()].reduce((a, b) => a + b, 0)));
  const totals = new Map(keys.map((k) => [k, rows.filter((r) => r.key === k).reduce((n, r) => n + r.count, 0)]));
  const width = 600;
  const height = 120;
  const bar = width / minutes;
  return (
    <figure className="chart">
      <figcaption>
        <strong>{title}</strong> <span className="muted">last {minutes} min, peak {max}/min</span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
        {slots.map((m, i) => {
          let y = height;
          return keys.map((k) => {
            const n = byMinute.get(m)?.get(k) ?? 0;
            if (!n) return null;
            const h = (n / max) * (height - 4);
            y -= h;
            return <rect key={`${m}-${k}`} x={i * bar + 0.5} y={y} width={Math.max(1, bar - 1)} height={h} className={COLORS[k] ?? "c-info"} />;
          });
        })}
      </svg>
      <ul className="legend" aria-hidden="true">
        {keys.map((k) => (
          <li key={k}>
            <span className={`swatch ${COLORS[k] ?? "c-info"}`} /> {k.replace(/_/g, " ")} ({totals.get(k)})
          </li>
        ))}
        {keys.length === 0 && <li className="muted">nothing in this window</li>}
      </ul>
      <details>
        <summary>{title} as a table</summary>
        <DataTable caption={`${title} per minute`}>
          <thead>
            <tr>
              <th scope="col">minute</th>
              {keys.map((k) => (
                <th scope="col" key={k}>
                  {k.replace(/_/g, " ")}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[...byMinute.keys()].sort().map((m) => (
              <tr key={m}>
                <th scope="row">{new Date(m).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}</th>
                {keys.map((k) => (
                  <td key={k}>{byMinute.get(m)?.get(k) ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </DataTable>
      </details>
    </figure>
  );
}
