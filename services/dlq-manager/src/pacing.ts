/** How long to wait before item `index` (from 0) so that work started `elapsedMs` ago keeps to `perSecond`. */
export function paceDelay(index: number, perSecond: number, elapsedMs: number): number {
  return Math.max(0, Math.ceil((index * 1000) / perSecond - elapsedMs));
}
