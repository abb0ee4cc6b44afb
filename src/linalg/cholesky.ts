// Cholesky factorization of a dense symmetric matrix (row-major, n x n), used to test positive definiteness.

/**
 * Overwrites the lower triangle of `a` with L such that A = L L^T. Returns false (leaving `a` partly
 * overwritten) when A is not positive definite to working precision.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let diag = a[j * n + j];
    for (let k = 0; k < j; k++) diag -= a[j * n + k] * a[j * n + k];
    if (!(diag > 0) || !Number.isFinite(diag)) return false;
    const ljj = Math.sqrt(diag);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
  }
  return true;
}

/** True when the row-major n x n matrix is symmetric (relative tolerance `tol`) and positive definite. */
export function isSymmetricPositiveDefinite(a: ArrayLike<number>, n: number, tol = 1e-10): boolean {
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (Math.abs(a[i * n + j] - a[j * n + i]) > tol * scale) return false;
    }
  }
  return choleskyInPlace(Float64Array.from(a as ArrayLike<number>), n);
}
