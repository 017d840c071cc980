/** A service's own process figures, from its /metrics (prom-client default metrics, prefixed `hookstream_`). */
export interface ProcessFigures {
  rssBytes: number;
  heapUsedBytes: number;
}

function gauge(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
  if (!m) throw new Error(`metric ${name} not found`);
  return Number(m[1]);
}

export async function processFigures(port: number): Promise<ProcessFigures> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return { rssBytes: gauge(text, "hookstream_process_resident_memory_bytes"), heapUsedBytes: gauge(text, "hookstream_nodejs_heap_size_used_bytes") };
}
