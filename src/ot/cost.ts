// Ground costs between point clouds (squared Euclidean by default), as dense row-major matrices.
import type { CostMatrix, PointCloud } from './errors';
import { checkSameDim } from './errors';

/** C_ij = |x_i - y_j|^2, row-major x.n x y.n. */
export function sqEuclideanCost(x: PointCloud, y: PointCloud): CostMatrix {
  checkSameDim(x, y);
  const n = x.n, m = y.n, d = x.dim;
  const out = new Float64Array(n * m);
  fillSqEuclidean(x.data, n, y.data, m, d, out);
  return { rows: n, cols: m, data: out };
}

/** Writes |x_i - y_j|^2 into out (row-major n x m). Direct differences, so no cancellation at large offsets. */
export function fillSqEuclidean(x: Float64Array, n: number, y: Float64Array, m: number, d: number, out: Float64Array): void {
  if (d === 1) {
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      const row = i * m;
      for (let j = 0; j < m; j++) {
        const t = xi - y[j];
        out[row + j] = t * t;
      }
    }
    return;
  }
  if (d === 2) {
    for (let i = 0; i < n; i++) {
      const x0 = x[2 * i], x1 = x[2 * i + 1];
      const row = i * m;
      for (let j = 0; j < m; j++) {
        const t0 = x0 - y[2 * j], t1 = x1 - y[2 * j + 1];
        out[row + j] = t0 * t0 + t1 * t1;
      }
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    const row = i * m;
    for (let j = 0; j < m; j++) {
      const yo = j * d;
      let s = 0;
      for (let k = 0; k < d; k++) {
        const t = x[xo + k] - y[yo + k];
        s += t * t;
      }
      out[row + j] = s;
    }
  }
}

/** |x_i - y_j|^2 for one pair of points of row-major clouds (dimension d), without allocation. */
export function sqDistance(x: ArrayLike<number>, i: number, y: ArrayLike<number>, j: number, d: number): number {
  let s = 0;
  const xo = i * d, yo = j * d;
  for (let k = 0; k < d; k++) {
    const t = x[xo + k] - y[yo + k];
    s += t * t;
  }
  return s;
}

/** |x_i - y_j| (Euclidean distance) for one pair, without allocation. */
export function euclidean(x: Float64Array, i: number, y: Float64Array, j: number, d: number): number {
  return Math.sqrt(sqDistance(x, i, y, j, d));
}
