// Whether a series keeps growing: the Theil–Sen slope (the median of the slopes between every pair of samples), which
// a GC sawtooth, a few spikes or one late burst barely move, unlike a least-squares fit or a first-versus-last check.
// CommonJS so that both the soak script and the unit tests (jest) load it.

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median pairwise slope of `points` ({x, y}); NaN with fewer than two distinct x. */
function theilSenSlope(points) {
  const slopes = [];
  for (let i = 0; i < points.length; i++)
    for (let j = i + 1; j < points.length; j++) {
      const dx = points[j].x - points[i].x;
      if (dx !== 0) slopes.push((points[j].y - points[i].y) / dx);
    }
  return median(slopes);
}

/**
 * Growth of `y` over the span of `points` as the robust slope predicts it, and whether it passes `maxGrowth`.
 * Too few points to tell (under `minPoints`) is a failure: a soak too short to judge proves nothing.
 */
function growthVerdict(points, { maxGrowth, minPoints = 10 }) {
  if (points.length < minPoints) return { ok: false, slope: NaN, growth: NaN, reason: `only ${points.length} samples after warm-up (at least ${minPoints} needed)` };
  const slope = theilSenSlope(points);
  const span = points[points.length - 1].x - points[0].x;
  const growth = slope * span;
  return { ok: growth <= maxGrowth, slope, growth, reason: growth <= maxGrowth ? undefined : `grows ${growth.toFixed(1)} over the run (bound ${maxGrowth})` };
}

/**
 * The lowest point of each consecutive `width`-wide stretch of x: for a garbage-collected heap, what is left after
 * the collections, without the sawtooth of garbage between them (which a short run would otherwise read as a trend).
 */
function lowerEnvelope(points, width) {
  const out = [];
  for (const p of points) {
    const bucket = Math.floor((p.x - points[0].x) / width);
    const last = out[out.length - 1];
    if (!last || last.bucket !== bucket) out.push({ bucket, x: p.x, y: p.y });
    else if (p.y < last.y) Object.assign(last, { x: p.x, y: p.y });
  }
  return out.map(({ x, y }) => ({ x, y }));
}

/** The value below which `q` (0..1) of `xs` fall. */
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

module.exports = { median, theilSenSlope, growthVerdict, lowerEnvelope, quantile };
