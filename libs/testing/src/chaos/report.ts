import type { Figures } from "./accounting";

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** The figures as a Markdown table (what `npm run chaos` prints and docs/reliability.md holds). */
export function figuresTable(rows: Figures[]): string {
  const head = ["scenario", "sent", "accepted", "429/503", "given up", "processed", "lost", "dup. effects", "dup. deliveries", "p99 during fault (s)", "recovery (s)", "notes"];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 || i === head.length - 1 ? "---" : "---:")).join("|")}|`];
  for (const f of rows) {
    const notes = [...Object.entries(f.extra).map(([k, v]) => `${k} ${v}`), ...f.violations.map((v) => `**${v}**`)].join("; ");
    const cells = [f.scenario, f.sent, f.accepted, f.refusals, f.givenUp, f.processed, f.lost, f.duplicateEffects, f.duplicateDeliveries, seconds(f.p99LatencyMs), seconds(f.recoveryMs), notes];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** What must hold for every scenario: nothing accepted lost, no effect twice, every signature valid. */
export function invariantViolations(f: Figures): string[] {
  const v = [...f.violations];
  if (f.lost > 0) v.push(`${f.lost} accepted events lost`);
  if (f.duplicateEffects > 0) v.push(`${f.duplicateEffects} duplicated effects`);
  if (f.badSignatures > 0) v.push(`${f.badSignatures} deliveries with a bad signature`);
  return v;
}
