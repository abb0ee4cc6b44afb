// What each Flow panel draws and over which ranges: the panel kind of a frame, and the shared axis ranges of
// the selected runs (target mass plus the extent of their first and last frames). Pure, no DOM.
import type { Frame } from './frames';
import { padRange, quantileRange } from './geometry';
import { targetRange, type Target } from './targets';

export type PanelKind = 'scatter' | 'histogram' | 'ellipses' | 'normal1d' | 'grid1d' | 'grid2d';

export function panelKind(f: Frame): PanelKind {
  if (f.kind === 'particles') return f.dim >= 2 ? 'scatter' : 'histogram';
  if (f.kind === 'gaussian') return f.dim >= 2 ? 'ellipses' : 'normal1d';
  return f.shape.length >= 2 ? 'grid2d' : 'grid1d';
}

/** Dimension of the measure a frame holds (grids: their number of axes). */
export const frameDim = (f: Frame): number => (f.kind === 'grid' ? f.shape.length : f.dim);

/** Particle quantile ranges per frame and coordinate (frames are immutable; computed once, as each sorts n values). */
const rangeMemo = new WeakMap<Frame, Map<number, [number, number] | undefined>>();

/** Extent of coordinate c in a frame (particles: 0.5% - 99.5% quantiles; Gaussian: mean +- 3 sd). */
export function frameRange(f: Frame, c: number): [number, number] | undefined {
  if (f.kind === 'particles') {
    if (c >= f.dim) return undefined;
    let memo = rangeMemo.get(f);
    if (!memo) rangeMemo.set(f, (memo = new Map()));
    if (!memo.has(c)) {
      const r = quantileRange(f.positions, f.n, f.dim, c);
      memo.set(c, Number.isFinite(r[0]) ? r : undefined);
    }
    return memo.get(c);
  }
  if (f.kind === 'gaussian') {
    if (c >= f.dim) return undefined;
    const s = 3 * Math.sqrt(Math.max(f.cov[c][c], 0));
    return [f.mean[c] - s, f.mean[c] + s];
  }
  return undefined;
}

/** Shared range of coordinate c over the runs' targets and frames, padded; [-1, 1] when nothing is known. */
export function sharedRange(runs: readonly { target: Target | null; frames: readonly Frame[] }[], c: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const add = (r: [number, number] | undefined) => {
    if (!r || !Number.isFinite(r[0]) || !Number.isFinite(r[1])) return;
    lo = Math.min(lo, r[0]);
    hi = Math.max(hi, r[1]);
  };
  for (const run of runs) {
    if (run.target && c < run.target.dim) add(targetRange(run.target, c));
    for (const f of run.frames) add(frameRange(f, c));
  }
  return Number.isFinite(lo) ? padRange(lo, hi, 0.04) : [-1, 1];
}
