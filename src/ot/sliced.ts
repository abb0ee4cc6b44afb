// Sliced Wasserstein distance (Rabin, Peyré, Delon & Bernot 2011; Bonneel et al. 2015): the mean over random unit
// directions theta of W2^2 between the projected 1-D measures, each solved exactly by sorting. Directions are
// normalized Gaussian draws from the seeded generator of src/random.ts (POT draws them the same way, but from NumPy).
import { createRng } from '../random';
import type { PointCloud, WeightsInput } from './errors';
import { OtInputError, checkSameDim, checkSameMass, toPointCloud, toWeights } from './errors';
import { argsort, sortedUniformW2sq } from './exact1d';

export interface SlicedOptions {
  /** Number of random directions (>= 1). */
  readonly projections: number;
  /** Seed of the direction generator. */
  readonly seed: number;
}

export interface SlicedResult {
  /** Mean over directions of W2^2 of the projections (squared sliced W2). */
  readonly value: number;
  /** sqrt(value), POT's sliced_wasserstein_distance with p = 2. */
  readonly distance: number;
  readonly projections: number;
  /** Per-direction W2^2 (for a Monte Carlo error bar). */
  readonly perProjection: Float64Array;
}

export function slicedWasserstein(x: PointCloud | unknown, y: PointCloud | unknown, a: WeightsInput, b: WeightsInput, options: SlicedOptions): SlicedResult {
  const px = toPointCloud(x, 'x');
  const py = toPointCloud(y, 'y');
  checkSameDim(px, py);
  const L = options.projections;
  if (typeof L !== 'number' || !Number.isInteger(L) || L < 1) throw new OtInputError('projections', `must be an integer >= 1, got ${L}`);
  if (typeof options.seed !== 'number' || !Number.isFinite(options.seed)) throw new OtInputError('seed', `must be a finite number, got ${options.seed}`);
  const uniform = (a === null || a === undefined) && (b === null || b === undefined);
  const wa = toWeights(a, px.n, 'a');
  const wb = toWeights(b, py.n, 'b');
  const mass = checkSameMass(wa, wb);
  const d = px.dim, n = px.n, m = py.n;
  const rng = createRng(options.seed);
  const theta = new Float64Array(d);
  const xs = new Float64Array(n);
  const ys = new Float64Array(m);
  const per = new Float64Array(L);
  // Weighted case: normalized weights for the quantile coupling, result scaled back by the mass.
  const na = uniform ? wa : wa.map((w) => w / mass);
  const nb = uniform ? wb : wb.map((w) => w / mass);
  let sum = 0;
  for (let l = 0; l < L; l++) {
    let norm = 0;
    do {
      norm = 0;
      for (let k = 0; k < d; k++) {
        theta[k] = rng.normal();
        norm += theta[k] * theta[k];
      }
    } while (norm === 0);
    norm = Math.sqrt(norm);
    for (let k = 0; k < d; k++) theta[k] /= norm;
    project(px.data, n, d, theta, xs);
    project(py.data, m, d, theta, ys);
    let w2: number;
    if (uniform) {
      xs.sort();
      ys.sort();
      w2 = sortedUniformW2sq(xs, n, ys, m);
    } else {
      w2 = mass * weightedW2sq(xs, na, ys, nb);
    }
    per[l] = w2;
    sum += w2;
  }
  const value = sum / L;
  return Object.freeze({ value, distance: Math.sqrt(value), projections: L, perProjection: per });
}

function project(p: Float64Array, n: number, d: number, theta: Float64Array, out: Float64Array): void {
  if (d === 1) {
    const t = theta[0];
    for (let i = 0; i < n; i++) out[i] = p[i] * t;
    return;
  }
  if (d === 2) {
    const t0 = theta[0], t1 = theta[1];
    for (let i = 0; i < n; i++) out[i] = p[2 * i] * t0 + p[2 * i + 1] * t1;
    return;
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let k = 0; k < d; k++) s += p[o + k] * theta[k];
    out[i] = s;
  }
}

/** W2^2 between weighted 1-D measures (probability weights) via the quantile coupling. */
function weightedW2sq(x: Float64Array, a: Float64Array, y: Float64Array, b: Float64Array): number {
  const ix = argsort(x);
  const iy = argsort(y);
  const n = x.length, m = y.length;
  let i = 0, j = 0;
  let ra = a[ix[0]], rb = b[iy[0]];
  let value = 0;
  while (i < n && j < m) {
    const move = ra < rb ? ra : rb;
    const t = x[ix[i]] - y[iy[j]];
    value += move * t * t;
    if (ra <= rb) {
      rb -= ra;
      i++;
      ra = i < n ? a[ix[i]] : 0;
      if (rb === 0) {
        j++;
        rb = j < m ? b[iy[j]] : 0;
      }
    } else {
      ra -= rb;
      j++;
      rb = j < m ? b[iy[j]] : 0;
    }
  }
  return value;
}
