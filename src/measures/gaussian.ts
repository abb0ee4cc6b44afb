// The Gaussian measure N(b, S), kept in a working basis chosen by its problem (the eigenbasis of the target
// covariance, where a quadratic potential is diagonal). Two paths:
// - diagonal: S = diag(s), every update per coordinate, O(d);
// - dense: S a full symmetric matrix in the working basis (it need not commute with the target).
// Snapshots rotate back to the original coordinates: x = Q^T x~.
import { matmul, matvec, symmetrizeInPlace, transpose } from '../linalg/dense';
import { LinalgError, symmetricEigen, symmetricEigenvalues } from '../linalg/eigen';
import { reconstruct, xMinusOneMinusLog } from '../linalg/spd';
import type { GaussianQuadratic } from '../engine/contract';
import type { Snapshot } from '../engine/types';

export interface GaussianMeasure {
  readonly kind: 'gaussian';
  readonly d: number;
  /** Rows are the basis vectors: x~ = Q x (null: the identity). */
  readonly basis: Float64Array | null;
  /** Mean in the working basis. */
  readonly mean: Float64Array;
  /** Diagonal covariance (diagonal path), or null. */
  readonly diag: Float64Array | null;
  /** Dense covariance d x d in the working basis (dense path), or null. */
  readonly cov: Float64Array | null;
  /** Set when an update lost positive definiteness or overflowed; every metric is NaN from then on. */
  broken: boolean;
  /** Scratch d x d matrices for the dense path. */
  readonly tmp: Float64Array;
  readonly tmp2: Float64Array;
}

export function gaussianMeasure(d: number, basis: Float64Array | null, mean: Float64Array, diag: Float64Array | null, cov: Float64Array | null): GaussianMeasure {
  if ((diag === null) === (cov === null)) throw new RangeError('a Gaussian measure has either a diagonal or a dense covariance');
  const scratch = cov ? d * d : 0;
  return { kind: 'gaussian', d, basis, mean, diag, cov, broken: false, tmp: new Float64Array(scratch), tmp2: new Float64Array(scratch) };
}

/**
 * The entropy's JKO root: the y > g solving y - 2g + g^2 / y = c, i.e. y(c) = (c + 2g + sqrt(c^2 + 4gc)) / 2
 * (= ((sqrt c + sqrt(c + 4g)) / 2)^2). Written with sqrt(c) sqrt(c + 4g) so that c^2 never overflows.
 */
export function entropyProxRoot(c: number, g: number): number {
  const cc = c > 0 ? c : 0; // c is a PSD eigenvalue; round-off may make it slightly negative
  return 0.5 * (cc + 2 * g + Math.sqrt(cc) * Math.sqrt(cc + 4 * g));
}

/** Gradient step of the mean on a quadratic potential: b' = b - g A (b - m) (A diagonal in the working basis). */
export function gradientStepMean(t: GaussianQuadratic, g: number, b: Float64Array): void {
  for (let i = 0; i < t.d; i++) b[i] -= g * t.a[i] * (b[i] - t.m[i]);
}

/** Dense path: S <- D f(C) D for the symmetric C, with f applied to its eigenvalues and D = diag(scale) (identity when null). */
export function applySpectralInto(S: Float64Array, c: Float64Array, d: number, f: (v: number) => number, scale: Float64Array | null): void {
  const eig = symmetricEigen(c, d);
  const fv = new Float64Array(d);
  for (let k = 0; k < d; k++) fv[k] = f(eig.values[k]);
  reconstruct(eig.vectors, fv, d, S);
  if (scale) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) S[i * d + j] *= scale[i] * scale[j];
}

/**
 * Runs a dense covariance update and marks the measure broken when it throws a LinalgError or leaves a
 * non-finite entry (the run then reports divergence through its metrics).
 */
export function guardedDenseUpdate(mu: GaussianMeasure, update: (S: Float64Array) => void): void {
  if (mu.broken || !mu.cov) return;
  try {
    update(mu.cov);
    for (let i = 0; i < mu.cov.length; i++) {
      if (!Number.isFinite(mu.cov[i])) {
        mu.broken = true;
        return;
      }
    }
  } catch (err) {
    if (!(err instanceof LinalgError)) throw err;
    mu.broken = true;
  }
}

function meanTerms(t: GaussianQuadratic, b: Float64Array): { sq: number; mahal: number } {
  let sq = 0;
  let mahal = 0;
  for (let i = 0; i < t.d; i++) {
    const r = b[i] - t.m[i];
    sq += r * r;
    mahal += t.a[i] * r * r;
  }
  return { sq, mahal };
}

/** [KL(mu | N(m, Sigma)), W2^2(mu, N(m, Sigma))] with the target written in mu's working basis; NaN once broken. */
export function klAndW2(mu: GaussianMeasure, t: GaussianQuadratic): [number, number] {
  if (mu.broken) return [NaN, NaN];
  const { sq, mahal } = meanTerms(t, mu.mean);
  const { d, a, sig } = t;
  if (mu.diag) {
    const s = mu.diag;
    let klCov = 0;
    let w2Cov = 0;
    for (let i = 0; i < d; i++) {
      klCov += xMinusOneMinusLog(s[i] * a[i]);
      const r = Math.sqrt(s[i]) - Math.sqrt(sig[i]);
      w2Cov += r * r;
    }
    return [0.5 * (klCov + mahal), sq + w2Cov];
  }
  const S = mu.cov!;
  const tmp = mu.tmp;
  try {
    // KL: eigenvalues of K = A^1/2 S A^1/2; sum (k - 1 - log k) has no cancellation near K = I.
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) tmp[i * d + j] = S[i * d + j] * Math.sqrt(a[i] * a[j]);
    const kv = symmetricEigenvalues(tmp, d);
    if (!(kv[0] > 0)) return [NaN, NaN];
    let klCov = 0;
    for (let i = 0; i < d; i++) klCov += xMinusOneMinusLog(kv[i]);
    // W2: with R = Sigma^1/2 S Sigma^1/2, tr(S + Sigma - 2 R^1/2) = tr(Sigma^-1 E^2), E = R^1/2 - Sigma
    // (expand E^2 and use tr(Sigma^-1 R) = tr S); a sum of squares, accurate down to W2^2 ~ eps^2.
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) tmp[i * d + j] = S[i * d + j] * Math.sqrt(sig[i] * sig[j]);
    const E = mu.tmp2;
    applySpectralInto(E, tmp, d, (v) => Math.sqrt(Math.max(0, v)), null);
    let w2Cov = 0;
    for (let i = 0; i < d; i++) {
      E[i * d + i] -= sig[i];
      let row = 0;
      for (let j = 0; j < d; j++) row += E[i * d + j] * E[i * d + j];
      w2Cov += row / sig[i];
    }
    return [0.5 * (klCov + mahal), sq + w2Cov];
  } catch (err) {
    if (!(err instanceof LinalgError)) throw err;
    return [NaN, NaN];
  }
}

/** The measure in the original coordinates: mean and covariance (dense), or mean and diagonal. */
export function gaussianSnapshot(mu: GaussianMeasure, k: number): Snapshot {
  const { d, basis } = mu;
  if (mu.diag) return { kind: 'gaussian', iteration: k, mean: Float64Array.from(mu.mean), cov: null, diag: Float64Array.from(mu.diag) };
  if (!basis) return { kind: 'gaussian', iteration: k, mean: Float64Array.from(mu.mean), cov: Float64Array.from(mu.cov!), diag: null };
  const qt = transpose(basis, d, d);
  const mean = matvec(qt, mu.mean, d, d);
  const cov = symmetrizeInPlace(matmul(matmul(qt, mu.cov!, d, d, d), basis, d, d, d), d);
  return { kind: 'gaussian', iteration: k, mean, cov, diag: null };
}
