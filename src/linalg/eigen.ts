// Symmetric eigendecomposition: Householder tridiagonalization + implicit QL with shifts, after EISPACK
// tred2 / tql2 (Wilkinson & Reinsch, Handbook for Automatic Computation II, 1971; the JAMA transcription).
// O(n^3), no per-element allocation. The eigenvector matrix is kept column-major internally, i.e. as the rows
// of the output array, so that every inner loop of the reduction and of the QL rotations runs over
// contiguous memory.

/** Thrown when the input is not a finite square symmetric matrix, or QL does not converge. */
export class LinalgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinalgError';
  }
}

export interface SymmetricEigen {
  /** Eigenvalues in ascending order, length n. */
  readonly values: Float64Array;
  /**
   * Eigenvectors, n x n row-major: ROW k (entries k*n .. k*n + n - 1) is the unit eigenvector of values[k].
   * So A = sum_k values[k] v_k v_k^T, and as a matrix this array is V^T for the usual column convention.
   */
  readonly vectors: Float64Array;
}

const EPS = 2 ** -52;
const MAX_QL_ITERATIONS = 60;

function checkInput(a: ArrayLike<number>, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new LinalgError(`size n must be a positive integer, got ${n}`);
  if (a.length < n * n) throw new LinalgError(`matrix has ${a.length} entries, needs n * n = ${n * n}`);
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(a[i])) throw new LinalgError(`matrix entry (${Math.floor(i / n)}, ${i % n}) is ${a[i]}, must be finite`);
  }
}

/**
 * Householder reduction of the symmetric matrix held in w (column-major V, i.e. w[c*n + r] = V[r][c]; for a
 * symmetric input this is the same array) to tridiagonal form: diagonal in d, subdiagonal in e[1..n-1].
 * With accumulate, w ends as the orthogonal transform (eigenvectors of the tridiagonal map back through it).
 * Only the lower triangle of the input (V[r][c], r >= c) is read.
 */
function tred2(w: Float64Array, n: number, d: Float64Array, e: Float64Array, accumulate: boolean): void {
  // V[r][c] = w[c*n + r]
  for (let j = 0; j < n; j++) d[j] = w[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1];
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        w[i * n + j] = f; // V[j][i]
        const col = j * n;
        g = e[j] + w[col + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = w[col + k];
          g += vkj * d[k];
          e[k] += vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const col = j * n;
        for (let k = j; k <= i - 1; k++) w[col + k] -= f * e[k] + g * d[k];
        d[j] = w[col + i - 1];
        w[col + i] = 0;
      }
    }
    d[i] = h;
  }
  if (!accumulate) {
    for (let j = 0; j < n; j++) d[j] = w[j * n + j];
    e[0] = 0;
    return;
  }
  for (let i = 0; i < n - 1; i++) {
    w[i * n + n - 1] = w[i * n + i];
    w[i * n + i] = 1;
    const h = d[i + 1];
    const colI1 = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = w[colI1 + k] / h;
      for (let j = 0; j <= i; j++) {
        const col = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += w[colI1 + k] * w[col + k];
        for (let k = 0; k <= i; k++) w[col + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) w[colI1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1];
    w[j * n + n - 1] = 0;
  }
  w[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e); rotations are applied to w (column-major) when it is given. */
function tql2(d: Float64Array, e: Float64Array, n: number, w: Float64Array | null): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= EPS * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_QL_ITERATIONS) throw new LinalgError(`symmetric eigensolver: QL did not converge for eigenvalue ${l} after ${MAX_QL_ITERATIONS} iterations`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (w) {
            const ci = i * n;
            const ci1 = ci + n;
            for (let k = 0; k < n; k++) {
              const t = w[ci1 + k];
              const u = w[ci + k];
              w[ci1 + k] = s * u + c * t;
              w[ci + k] = c * u - s * t;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > EPS * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  // Selection sort into ascending order (O(n^2) comparisons, O(n) vector swaps).
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      if (w) {
        const ci = i * n;
        const ck = k * n;
        for (let j = 0; j < n; j++) {
          const t = w[ci + j];
          w[ci + j] = w[ck + j];
          w[ck + j] = t;
        }
      }
    }
  }
}

/**
 * Eigenvalues (ascending) and unit eigenvectors (as rows) of the symmetric n x n row-major matrix `a`.
 * Only the lower triangle of `a` is read (pass a symmetrized matrix if it is only nearly symmetric).
 * `a` is not modified. Throws LinalgError on non-finite input.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  checkInput(a, n);
  // Column-major copy of the lower triangle: w[c*n + r] = a[r*n + c] for r >= c (upper part is never read).
  const w = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c <= r; c++) w[c * n + r] = a[r * n + c];
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(w, n, d, e, true);
  tql2(d, e, n, w);
  return { values: d, vectors: w };
}

/** Eigenvalues only (ascending) of the symmetric n x n row-major matrix `a` (lower triangle read): about 3x cheaper. */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number): Float64Array {
  checkInput(a, n);
  const w = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c <= r; c++) w[c * n + r] = a[r * n + c];
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(w, n, d, e, false);
  tql2(d, e, n, null);
  return d;
}
