// The grid measure: masses on the cells of a regular grid over a box in 1-3 dimensions, in one or several channels
// (mass moves only within a channel; each channel keeps its initial total). Schemes update the masses in place.
import type { Snapshot } from '../engine/types';

export interface GridMeasure {
  readonly kind: 'grid';
  /** Cells per axis (1 to 3 axes), row-major: the last axis is contiguous. */
  readonly shape: readonly number[];
  /** The box [lo_d, hi_d] per axis; cell widths h_d = (hi_d - lo_d) / shape[d]. */
  readonly lo: readonly number[];
  readonly hi: readonly number[];
  readonly spacing: readonly number[];
  /** Cells per channel. */
  readonly size: number;
  readonly channels: number;
  /** Masses, channel-major: masses[c * size + i]; >= 0, summing to 1 over all channels. */
  readonly masses: Float64Array;
  /** The mass of each channel at k = 0 (schemes keep it). */
  readonly channelMass: Float64Array;
  /** Physical time t of the flow reached so far (t = k tau for JKO steps); schemes advance it. */
  t: number;
}

export interface GridBox {
  readonly shape: readonly number[];
  readonly lo: readonly number[];
  readonly hi: readonly number[];
}

export function gridMeasure(box: GridBox, masses: Float64Array, channels = 1): GridMeasure {
  const dims = box.shape.length;
  if (dims < 1 || dims > 3) throw new RangeError(`grid.shape: grids have 1 to 3 axes, got ${dims}`);
  if (box.lo.length !== dims || box.hi.length !== dims) throw new RangeError(`grid: lo and hi need ${dims} entries`);
  const size = box.shape.reduce((p, s) => p * s, 1);
  if (masses.length !== size * channels) throw new RangeError(`grid: ${masses.length} masses for ${channels} channel(s) of ${size} cells`);
  let total = 0;
  for (let i = 0; i < masses.length; i++) {
    if (!(masses[i] >= 0)) throw new RangeError(`grid: mass ${i} is ${masses[i]}; masses must be >= 0`);
    total += masses[i];
  }
  if (!(Math.abs(total - 1) < 1e-9)) throw new RangeError(`grid: masses sum to ${total}, expected 1`);
  const channelMass = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let i = 0; i < size; i++) s += masses[c * size + i];
    channelMass[c] = s;
  }
  const spacing = box.shape.map((n, d) => (box.hi[d] - box.lo[d]) / n);
  return { kind: 'grid', shape: [...box.shape], lo: [...box.lo], hi: [...box.hi], spacing, size, channels, masses, channelMass, t: 0 };
}

/** Cell centres along axis d. */
export function axisCentres(mu: GridBox, d: number): Float64Array {
  const n = mu.shape[d];
  const h = (mu.hi[d] - mu.lo[d]) / n;
  return Float64Array.from({ length: n }, (_, i) => mu.lo[d] + (i + 0.5) * h);
}

/** Cell centres as a row-major point cloud (size x dims), the layout of the masses of one channel. */
export function cellCentres(mu: GridBox): Float64Array {
  const dims = mu.shape.length;
  const size = mu.shape.reduce((p, s) => p * s, 1);
  const axes = mu.shape.map((_, d) => axisCentres(mu, d));
  const out = new Float64Array(size * dims);
  for (let idx = 0; idx < size; idx++) {
    let rest = idx;
    for (let d = dims - 1; d >= 0; d--) {
      out[idx * dims + d] = axes[d][rest % mu.shape[d]];
      rest = Math.floor(rest / mu.shape[d]);
    }
  }
  return out;
}

/** The volume h_1 ... h_d of one cell. */
export const cellVolume = (mu: { readonly spacing: readonly number[] }): number => mu.spacing.reduce((p, h) => p * h, 1);

export function gridSnapshot(mu: GridMeasure, k: number): Snapshot {
  return { kind: 'grid', iteration: k, shape: [...mu.shape], masses: Float64Array.from(mu.masses), channels: mu.channels, lo: [...mu.lo], hi: [...mu.hi] };
}
