// Functions of symmetric (positive-definite) matrices through the eigendecomposition: f(A) = V f(Lambda) V^T.
import { choleskyInPlace } from './cholesky';
import { LinalgError, symmetricEigen, type SymmetricEigen } from './eigen';

/** Thrown when a matrix that must be symmetric positive definite is not (to working precision). */
export class NotPositiveDefiniteError extends LinalgError {
  constructor(message: string) {
    super(message);
    this.name = 'NotPositiveDefiniteError';
  }
}

/**
 * out = V diag(fv) V^T for eigenvectors given as ROWS of `vectors` (the SymmetricEigen convention):
 * out_ij = sum_k fv[k] v_k[i] v_k[j]. Exactly symmetric. O(n^3 / 2).
 */
export function reconstruct(vectors: ArrayLike<number>, fv: ArrayLike<number>, n: number, out: Float64Array = new Float64Array(n * n)): Float64Array {
  out.fill(0, 0, n * n);
  for (let k = 0; k < n; k++) {
    const f = fv[k];
    if (f === 0) continue;
    const vk = k * n;
    for (let i = 0; i < n; i++) {
      const c = f * vectors[vk + i];
      if (c === 0) continue;
      const oi = i * n;
      for (let j = i; j < n; j++) out[oi + j] += c * vectors[vk + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i];
  return out;
}

/** f(A) from a precomputed eigendecomposition of A. */
export function eigenFunction(eig: SymmetricEigen, n: number, f: (lambda: number) => number, out?: Float64Array): Float64Array {
  const fv = new Float64Array(n);
  for (let k = 0; k < n; k++) fv[k] = f(eig.values[k]);
  return reconstruct(eig.vectors, fv, n, out);
}

/** f(A) for a symmetric A (lower triangle read) and any scalar function f. */
export function symmetricFunction(a: ArrayLike<number>, n: number, f: (lambda: number) => number, out?: Float64Array): Float64Array {
  return eigenFunction(symmetricEigen(a, n), n, f, out);
}

/**
 * Eigendecomposition of a matrix that must be SPD; throws NotPositiveDefiniteError naming `what` when its
 * smallest eigenvalue is not > 0.
 */
export function spdEigen(a: ArrayLike<number>, n: number, what = 'matrix'): SymmetricEigen {
  const eig = symmetricEigen(a, n);
  if (!(eig.values[0] > 0)) throw new NotPositiveDefiniteError(`${what}: must be symmetric positive definite (smallest eigenvalue ${eig.values[0]})`);
  return eig;
}

/** f(A) for an SPD matrix A (throws NotPositiveDefiniteError otherwise). */
export function spdFunction(a: ArrayLike<number>, n: number, f: (lambda: number) => number, out?: Float64Array): Float64Array {
  return eigenFunction(spdEigen(a, n), n, f, out);
}

/** The SPD square root A^{1/2}. */
export const sqrtmSpd = (a: ArrayLike<number>, n: number, out?: Float64Array): Float64Array => spdFunction(a, n, Math.sqrt, out);
/** A^{-1/2} for SPD A. */
export const invSqrtmSpd = (a: ArrayLike<number>, n: number, out?: Float64Array): Float64Array => spdFunction(a, n, (l) => 1 / Math.sqrt(l), out);
/** A^{-1} for SPD A (symmetric by construction). */
export const invSpd = (a: ArrayLike<number>, n: number, out?: Float64Array): Float64Array => spdFunction(a, n, (l) => 1 / l, out);

/** log det A for SPD A, via Cholesky (accurate for tiny eigenvalues); throws NotPositiveDefiniteError otherwise. */
export function logdetSpd(a: ArrayLike<number>, n: number): number {
  const l = Float64Array.from(a as ArrayLike<number>);
  if (!choleskyInPlace(l, n)) throw new NotPositiveDefiniteError('matrix: must be symmetric positive definite (Cholesky failed)');
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}

/**
 * x - 1 - log x for x > 0, without cancellation near x = 1 (the per-eigenvalue term of KL between Gaussians).
 */
export function xMinusOneMinusLog(x: number): number {
  const e = x - 1;
  if (Math.abs(e) > 0.05) return e - Math.log(x);
  // e - log1p(e) = e^2/2 - e^3/3 + e^4/4 - ... ; |e| <= 0.05 so 14 terms reach 1e-17 relative.
  let term = e;
  let s = 0;
  for (let k = 2; k <= 16; k++) {
    term *= -e;
    s -= term / k;
  }
  return s;
}
