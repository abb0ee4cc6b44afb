// Dense row-major matrix helpers over Float64Array with explicit sizes. `out` arguments may be passed to
// reuse buffers; unless stated, `out` must not alias an input.

/** out (m x p) = A (m x k) * B (k x p). */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, p: number, out: Float64Array = new Float64Array(m * p)): Float64Array {
  out.fill(0, 0, m * p);
  for (let i = 0; i < m; i++) {
    const oi = i * p;
    for (let l = 0; l < k; l++) {
      const ail = a[i * k + l];
      if (ail === 0) continue;
      const bl = l * p;
      for (let j = 0; j < p; j++) out[oi + j] += ail * b[bl + j];
    }
  }
  return out;
}

/** out = A B A for n x n matrices A, B (A symmetric, B symmetric): the congruence B -> A B A, symmetrized. */
export function congruence(a: ArrayLike<number>, b: ArrayLike<number>, n: number, out: Float64Array = new Float64Array(n * n), tmp: Float64Array = new Float64Array(n * n)): Float64Array {
  matmul(a, b, n, n, n, tmp);
  // out = tmp * A^T = tmp * A (A symmetric): out[i][j] = sum_l tmp[i][l] a[j][l]; rows of both are contiguous.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      const ti = i * n;
      const aj = j * n;
      for (let l = 0; l < n; l++) s += tmp[ti + l] * a[aj + l];
      out[i * n + j] = s;
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[i * n + j] = out[j * n + i];
  return out;
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

/** n x n identity. */
export function identity(n: number): Float64Array {
  const out: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** Trace of an n x n matrix. */
export function trace(a: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i * n + i];
  return s;
}

/** n x n matrix with the vector on its diagonal. */
export function diagMatrix(v: ArrayLike<number>, n: number): Float64Array {
  const out: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = v[i];
  return out;
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

/** Maximum absolute entry difference of two arrays of length len. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, len = a.length): number {
  let m = 0;
  for (let i = 0; i < len; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
