const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `5s`, `2m`, `1h`, `1d` to milliseconds; a bare number is milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a duration (use e.g. 500ms, 5s, 2m, 1h)`);
  return Math.round(Number(match[1]) * UNITS[match[2] ?? "ms"]!);
}

/** `5s,30s,2m` to [5000, 30000, 120000]; empty text is an empty list. */
export function parseDurationList(text: string): number[] {
  return text.trim() === "" ? [] : text.split(",").map(parseDuration);
}

/** Milliseconds back to the largest unit that divides them evenly (`2592000000` is `30d`), as operators write them. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0";
  for (const unit of ["d", "h", "m", "s"] as const) if (ms % UNITS[unit]! === 0) return `${ms / UNITS[unit]!}${unit}`;
  return `${ms}ms`;
}
