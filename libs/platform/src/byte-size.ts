const UNITS: Record<string, number> = { "": 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** `-1` (unlimited), `1048576`, `512MiB`, `10GB` to bytes; binary (KiB) and decimal (KB) units, case-insensitive. */
export function parseByteSize(text: string): number {
  if (text.trim() === "-1") return -1;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
  if (!match) throw new Error(`"${text}" is not a size (use -1 for unlimited, or e.g. 1048576, 512MiB, 10GB)`);
  const bytes = Math.round(Number(match[1]) * UNITS[(match[2] ?? "").toLowerCase()]!);
  if (bytes < 1) throw new Error(`"${text}" is not a size: use -1 for unlimited, or at least 1 byte`);
  return bytes;
}

/** Bytes as the largest binary unit that divides them evenly (`1073741824` is `1GiB`); -1 is `unlimited`. */
export function formatByteSize(bytes: number): string {
  if (bytes < 0) return "unlimited";
  for (const unit of ["TiB", "GiB", "MiB", "KiB"]) {
    const size = UNITS[unit.toLowerCase()]!;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}
