// Line charts as plain SVG text: no plotting library, so the soak's chart needs nothing installed.

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"];
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** About `count` round tick values covering [min, max] (the first at or below min, the last at or above max). */
function ticks(min, max, count = 5) {
  if (!(max > min)) max = min + 1;
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  // From the tick at or below min to the one at or above max, so no point falls outside the axis.
  const last = Math.ceil(max / step - 1e-9) * step;
  for (let v = Math.floor(min / step + 1e-9) * step; v <= last + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * One panel: `series` = [{ name, points: [{x, y}], dashed? }], drawn at (`top`, height `height`) of a `width` wide
 * SVG; `shade` = [x0, x1] greys a range (the warm-up).
 */
function panel({ title, yLabel, xLabel, series, top, width, height, shade }) {
  const m = { left: 64, right: 190, top: 28, bottom: 40 };
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  const yt = ticks(Math.min(0, ...ys), Math.max(...ys, 1) * 1.05);
  const [y0, y1] = [yt[0], yt[yt.length - 1]];
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const X = (x) => m.left + ((x - x0) / (x1 - x0 || 1)) * w;
  const Y = (y) => top + m.top + h - ((y - y0) / (y1 - y0 || 1)) * h;
  const out = [`<text x="${m.left}" y="${top + 18}" font-size="14" font-weight="bold">${esc(title)}</text>`];
  if (shade) out.push(`<rect x="${X(shade[0])}" y="${top + m.top}" width="${Math.max(0, X(shade[1]) - X(shade[0]))}" height="${h}" fill="#eee"/>`);
  for (const t of yt) out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${Y(t)}" y2="${Y(t)}" stroke="#ddd"/><text x="${m.left - 6}" y="${Y(t) + 4}" font-size="11" text-anchor="end">${t}</text>`);
  for (const t of ticks(x0, x1, 8).filter((t) => t >= x0 && t <= x1)) out.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${top + m.top + h}" y2="${top + m.top + h + 4}" stroke="#333"/><text x="${X(t)}" y="${top + m.top + h + 16}" font-size="11" text-anchor="middle">${t}</text>`);
  out.push(`<rect x="${m.left}" y="${top + m.top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.left + w / 2}" y="${top + height - 6}" font-size="12" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${top + m.top + h / 2}) rotate(-90)" font-size="12" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const d = s.points
      .filter((p) => Number.isFinite(p.y))
      .map((p, j) => `${j ? "L" : "M"}${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`)
      .join("");
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>`);
    const ly = top + m.top + 6 + i * 16;
    out.push(`<line x1="${m.left + w + 12}" x2="${m.left + w + 36}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/><text x="${m.left + w + 42}" y="${ly + 4}" font-size="11">${esc(s.name)}</text>`);
  });
  return out.join("\n");
}

/** Panels stacked vertically, with a caption line at the top. */
export function svgChart({ caption, panels, width = 980, panelHeight = 280 }) {
  const height = 30 + panels.length * panelHeight;
  const body = panels.map((p, i) => panel({ ...p, top: 30 + i * panelHeight, width, height: panelHeight })).join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" font-size="12" fill="#444">${esc(caption)}</text>
${body}
</svg>
`;
}
