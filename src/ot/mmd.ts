// Maximum mean discrepancy (Gretton et al. 2012, "A kernel two-sample test", eqs. 3 and 5: biased V- and unbiased
// U-statistics) with Gaussian, inverse multiquadric and energy kernels, and the energy distance (Székely & Rizzo 2013).
import { euclidean, sqDistance as sqd } from './cost';
import type { PointCloud, WeightsInput } from './errors';
import { OtInputError, toDiscreteMeasures, totalMass } from './errors';

export type MmdKernel = 'gaussian' | 'imq' | 'energy';

export interface MmdOptions {
  /**
   * gaussian: k = exp(-|x - y|^2 / (2 h^2)); imq: k = (1 + |x - y|^2 / h^2)^(-1/2); energy: k = -|x - y|
   * (MMD^2 with the energy kernel is the energy distance). Default gaussian.
   */
  readonly kernel?: MmdKernel;
  /** Bandwidth h > 0 (gaussian, imq). Default 1. */
  readonly bandwidth?: number;
  /** 'biased' (V-statistic, default) or 'unbiased' (U-statistic: self-pairs i = i' left out). */
  readonly estimator?: 'biased' | 'unbiased';
}

export interface MmdResult {
  /** MMD^2 estimate (the unbiased one can be negative). */
  readonly value: number;
  readonly kernel: MmdKernel;
  readonly bandwidth: number;
  readonly estimator: 'biased' | 'unbiased';
}

const KERNELS: readonly MmdKernel[] = ['gaussian', 'imq', 'energy'];

/** Kernel value from the squared distance. */
function kval(kind: number, sq: number, h2: number): number {
  if (kind === 0) return Math.exp(-sq / (2 * h2));
  if (kind === 1) return 1 / Math.sqrt(1 + sq / h2);
  return -Math.sqrt(sq);
}


/** sum_{i, i'} w_i w_i' k(x_i, x_i') over all pairs (self = true) or over i != i'. */
function selfSum(x: Float64Array, w: Float64Array, n: number, d: number, kind: number, h2: number, withDiagonal: boolean): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = i + 1; j < n; j++) row += w[j] * kval(kind, sqd(x, i, x, j, d), h2);
    s += 2 * w[i] * row;
    if (withDiagonal) s += w[i] * w[i] * kval(kind, 0, h2);
  }
  return s;
}

function crossSum(x: Float64Array, a: Float64Array, n: number, y: Float64Array, b: Float64Array, m: number, d: number, kind: number, h2: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < m; j++) row += b[j] * kval(kind, sqd(x, i, y, j, d), h2);
    s += a[i] * row;
  }
  return s;
}

/**
 * MMD^2 between sum a_i delta_{x_i} and sum b_j delta_{y_j}, weights normalized to probabilities (null = uniform).
 * Unbiased (weighted U-statistic): sum_{i != i'} a_i a_i' k / (1 - sum a_i^2), likewise for y; the cross term is unchanged.
 */
export function mmd2(x: PointCloud | unknown, y: PointCloud | unknown, a: WeightsInput, b: WeightsInput, options: MmdOptions = {}): MmdResult {
  const { x: px, y: py, a: wa, b: wb } = toDiscreteMeasures(x, y, a, b);
  const kernel = options.kernel ?? 'gaussian';
  const kind = KERNELS.indexOf(kernel);
  if (kind < 0) throw new OtInputError('kernel', `must be one of ${KERNELS.join(', ')}, got ${JSON.stringify(kernel)}`);
  const h = options.bandwidth ?? 1;
  if (typeof h !== 'number' || !(h > 0) || !Number.isFinite(h)) throw new OtInputError('bandwidth', `must be a finite number > 0, got ${h}`);
  const estimator = options.estimator ?? 'biased';
  if (estimator !== 'biased' && estimator !== 'unbiased') throw new OtInputError('estimator', `must be "biased" or "unbiased", got ${JSON.stringify(estimator)}`);
  normalized(wa);
  normalized(wb);
  const d = px.dim, h2 = h * h;
  let xx: number, yy: number;
  if (estimator === 'biased') {
    xx = selfSum(px.data, wa, px.n, d, kind, h2, true);
    yy = selfSum(py.data, wb, py.n, d, kind, h2, true);
  } else {
    const da = 1 - sumSq(wa), db = 1 - sumSq(wb);
    if (!(da > 0)) throw new OtInputError('x', 'the unbiased estimator needs at least 2 points with positive weight');
    if (!(db > 0)) throw new OtInputError('y', 'the unbiased estimator needs at least 2 points with positive weight');
    xx = selfSum(px.data, wa, px.n, d, kind, h2, false) / da;
    yy = selfSum(py.data, wb, py.n, d, kind, h2, false) / db;
  }
  const xy = crossSum(px.data, wa, px.n, py.data, wb, py.n, d, kind, h2);
  return Object.freeze({ value: xx + yy - 2 * xy, kernel, bandwidth: h, estimator });
}

/** Energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| (weights normalized; >= 0; 0 iff the measures agree). */
export function energyDistance(x: PointCloud | unknown, y: PointCloud | unknown, a: WeightsInput, b: WeightsInput): number {
  const { x: px, y: py, a: wa, b: wb } = toDiscreteMeasures(x, y, a, b);
  normalized(wa);
  normalized(wb);
  const d = px.dim;
  let xy = 0;
  for (let i = 0; i < px.n; i++) {
    let row = 0;
    for (let j = 0; j < py.n; j++) row += wb[j] * euclidean(px.data, i, py.data, j, d);
    xy += wa[i] * row;
  }
  const xx = -selfSum(px.data, wa, px.n, d, 2, 1, false);
  const yy = -selfSum(py.data, wb, py.n, d, 2, 1, false);
  return Math.max(0, 2 * xy - xx - yy);
}

function normalized(w: Float64Array): Float64Array {
  const s = totalMass(w);
  for (let i = 0; i < w.length; i++) w[i] /= s;
  return w;
}

function sumSq(w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * w[i];
  return s;
}
