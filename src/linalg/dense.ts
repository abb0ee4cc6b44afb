// Dense row-major matrix helpers over Float64Array with explicit sizes. `out` arguments may be passed to
// reuse buffers; unless stated, `out` must not alias an input.

/** out (m x p) = A (m x k) * B (k x p). Row-oriented (i, l, j) loops, four rows of B per pass over a row of out. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, p: number, out: Float64Array = new Float64Array(m * p)): Float64Array {
  out.fill(0, 0, m * p);
  const k4 = k - (k % 4);
  for (let i = 0; i < m; i++) {
    const oi = i * p;
    const ai = i * k;
    for (let l = 0; l < k4; l += 4) {
      const a0 = a[ai + l];
      const a1 = a[ai + l + 1];
      const a2 = a[ai + l + 2];
      const a3 = a[ai + l + 3];
      const b0 = l * p;
      const b1 = b0 + p;
      const b2 = b1 + p;
      const b3 = b2 + p;
      for (let j = 0; j < p; j++) out[oi + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
    }
    for (let l = k4; l < k; l++) {
      const al = a[ai + l];
      const bl = l * p;
      for (let j = 0; j < p; j++) out[oi + j] += al * b[bl + j];
    }
  }
  return out;
}

/** out = A B A for symmetric n x n matrices A and B (so that A B A is symmetric); exactly symmetrized. */
export function congruence(a: ArrayLike<number>, b: ArrayLike<number>, n: number, out: Float64Array = new Float64Array(n * n), tmp: Float64Array = new Float64Array(n * n)): Float64Array {
  matmul(a, b, n, n, n, tmp);
  matmul(tmp, a, n, n, n, out);
  return symmetrizeInPlace(out, n);
}

/** out = A^T (n x n). out may not alias a. */
export function transpose(a: ArrayLike<number>, m: number, n: number, out: Float64Array = new Float64Array(m * n)): Float64Array {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j];
  return out;
}

/** In place: A <- (A + A^T) / 2 (n x n). */
export function symmetrizeInPlace(a: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (a[i * n + j] + a[j * n + i]);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** out = A x (m x n times n). */
export function matvec(a: ArrayLike<number>, x: ArrayLike<number>, m: number, n: number, out: Float64Array = new Float64Array(m)): Float64Array {
  for (let i = 0; i < m; i++) {
    let s = 0;
    const ai = i * n;
    for (let j = 0; j < n; j++) s += a[ai + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** Trace of an n x n matrix. */
export function trace(a: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i * n + i];
  return s;
}

/** Largest |A_ij - A_ji| relative to the largest |A_ij| (0 for the zero matrix). */
export function asymmetry(a: ArrayLike<number>, n: number): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]));
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) worst = Math.max(worst, Math.abs(a[i * n + j] - a[j * n + i]));
  return scale === 0 ? 0 : worst / scale;
}

/** True when every off-diagonal entry of the n x n matrix is exactly zero. */
export function isDiagonal(a: ArrayLike<number>, n: number): boolean {
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && a[i * n + j] !== 0) return false;
  return true;
}
