// Exact OT between weighted measures on the line in O((n + m) log(n + m)): the monotone (north-west corner on sorted
// supports) coupling is optimal for convex costs of x - y (Santambrogio, OT for Applied Mathematicians, Thm 2.9).
import type { WeightsInput } from './errors';
import { OtInputError, checkSameMass, toWeights } from './errors';

export interface Exact1dResult {
  /** sum P_ij |x_i - y_j|^2, the squared W2 cost for probability measures. */
  readonly value: number;
  /** Sparse monotone optimal plan (at most n + m - 1 entries), in transport order. */
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly masses: Float64Array;
  readonly status: 'optimal';
}

/** Indices that sort v ascending (stable on ties). */
export function argsort(v: Float64Array): Uint32Array {
  const idx = new Uint32Array(v.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((p, q) => v[p] - v[q] || p - q);
  return idx;
}

function toLine(v: unknown, field: string): Float64Array {
  if (!Array.isArray(v) && !(v instanceof Float64Array)) throw new OtInputError(field, 'expected a list of numbers');
  const list = v as ArrayLike<unknown>;
  if (list.length === 0) throw new OtInputError(field, 'measure is empty (0 points)');
  const out = new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new OtInputError(`${field}[${i}]`, `expected a finite number (a 1-D point), got ${Array.isArray(t) ? 'a list' : String(t)}`);
    }
    out[i] = t;
  }
  return out;
}

/** Squared-W2 OT between sum a_i delta_{x_i} and sum b_j delta_{y_j} on the real line. */
export function exactOt1d(x: ArrayLike<number> | unknown, y: ArrayLike<number> | unknown, a?: WeightsInput, b?: WeightsInput): Exact1dResult {
  const xs = toLine(x, 'x');
  const ys = toLine(y, 'y');
  const wa = toWeights(a, xs.length, 'a');
  const wb = toWeights(b, ys.length, 'b');
  checkSameMass(wa, wb);
  return solveExact1d(xs, wa, ys, wb);
}

/** Core on validated input. */
export function solveExact1d(x: Float64Array, a: Float64Array, y: Float64Array, b: Float64Array): Exact1dResult {
  const n = x.length, m = y.length;
  const ix = argsort(x);
  const iy = argsort(y);
  const cap = n + m - 1;
  const rows = new Int32Array(cap);
  const cols = new Int32Array(cap);
  const masses = new Float64Array(cap);
  let k = 0;
  let i = 0, j = 0;
  // Skip zero weights up front so every emitted entry has positive mass.
  while (i < n && a[ix[i]] === 0) i++;
  while (j < m && b[iy[j]] === 0) j++;
  let ra = i < n ? a[ix[i]] : 0;
  let rb = j < m ? b[iy[j]] : 0;
  let value = 0;
  while (i < n && j < m) {
    const p = ix[i], q = iy[j];
    const move = ra < rb ? ra : rb;
    if (move > 0) {
      const t = x[p] - y[q];
      value += move * t * t;
      rows[k] = p;
      cols[k] = q;
      masses[k] = move;
      k++;
    }
    if (ra <= rb) {
      rb -= ra;
      do i++; while (i < n && a[ix[i]] === 0);
      ra = i < n ? a[ix[i]] : 0;
      if (rb === 0) {
        do j++; while (j < m && b[iy[j]] === 0);
        rb = j < m ? b[iy[j]] : 0;
      }
    } else {
      ra -= rb;
      do j++; while (j < m && b[iy[j]] === 0);
      rb = j < m ? b[iy[j]] : 0;
    }
  }
  return Object.freeze({ value, rows: rows.slice(0, k), cols: cols.slice(0, k), masses: masses.slice(0, k), status: 'optimal' as const });
}

/** Squared W2 between two uniform 1-D samples already sorted ascending (quantile coupling), without allocation. */
export function sortedUniformW2sq(xs: Float64Array, n: number, ys: Float64Array, m: number): number {
  if (n === m) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const t = xs[i] - ys[i];
      s += t * t;
    }
    return s / n;
  }
  // Merge the quantile breakpoints k/n and l/m, using integer arithmetic on the common denominator n * m.
  let i = 0, j = 0;
  let value = 0;
  let ra = m, rb = n; // remaining mass of x_i and y_j in units of 1/(n m)
  while (i < n && j < m) {
    const move = ra < rb ? ra : rb;
    const t = xs[i] - ys[j];
    value += move * t * t;
    if (ra <= rb) {
      rb -= ra;
      i++;
      ra = m;
      if (rb === 0) {
        j++;
        rb = n;
      }
    } else {
      ra -= rb;
      j++;
      rb = n;
    }
  }
  return value / (n * m);
}
