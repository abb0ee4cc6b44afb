// Optimal transport between Gaussian measures in closed form: Bures–Wasserstein distance, KL divergence, the
// affine optimal map and McCann's displacement interpolation (Dowson & Landau 1982; Givens & Shortt 1984;
// Takatsu 2011; see also Peyré & Cuturi, Computational Optimal Transport, Remark 2.31).
// Means are length-d vectors, covariances d x d row-major Float64Array (or length-d diagonals for *Diag).
import { sqDistance } from './cost';
import { symmetricEigen, symmetricEigenvalues } from '../linalg/eigen';
import { asymmetry, congruence, matvec } from '../linalg/dense';
import { eigenFunction, reconstruct, xMinusOneMinusLog } from '../linalg/spd';
import type { SymmetricEigen } from '../linalg/eigen';

/** Input error of a Gaussian OT routine; the message starts with the offending field, e.g. "S1: ...". */
export class GaussianInputError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'GaussianInputError';
  }
}

const SYMMETRY_TOL = 1e-10;

function checkDim(d: number): void {
  if (!Number.isInteger(d) || d < 1) throw new GaussianInputError(`d: must be a positive integer, got ${d}`);
}

function checkMean(m: ArrayLike<number>, d: number, name: string): void {
  if (m.length !== d) throw new GaussianInputError(`${name}: has length ${m.length}, must have length d = ${d}`);
  for (let i = 0; i < d; i++) if (!Number.isFinite(m[i])) throw new GaussianInputError(`${name}: entry ${i} is ${m[i]}, must be finite`);
}

/** Validates a dense covariance and returns its eigendecomposition (needed by every caller anyway). */
function checkCov(S: ArrayLike<number>, d: number, name: string): SymmetricEigen {
  if (S.length !== d * d) throw new GaussianInputError(`${name}: has ${S.length} entries, must be d x d = ${d * d} (row-major)`);
  for (let i = 0; i < d * d; i++) {
    if (!Number.isFinite(S[i])) throw new GaussianInputError(`${name}: entry (${Math.floor(i / d)}, ${i % d}) is ${S[i]}, must be finite`);
  }
  if (asymmetry(S, d) > SYMMETRY_TOL) throw new GaussianInputError(`${name}: must be symmetric positive definite (it is not symmetric)`);
  const eig = symmetricEigen(S, d);
  if (!(eig.values[0] > 0)) throw new GaussianInputError(`${name}: must be symmetric positive definite (smallest eigenvalue ${eig.values[0]})`);
  return eig;
}

function checkDiag(s: ArrayLike<number>, d: number, name: string): void {
  if (s.length !== d) throw new GaussianInputError(`${name}: has length ${s.length}, must have length d = ${d} (the diagonal)`);
  for (let i = 0; i < d; i++) {
    if (!(s[i] > 0) || !Number.isFinite(s[i])) throw new GaussianInputError(`${name}: entry ${i} is ${s[i]}, must be a finite positive variance`);
  }
}

const sqDist = (p: ArrayLike<number>, q: ArrayLike<number>, d: number): number => sqDistance(p, 0, q, 0, d);

/** tr(S1 + S2 - 2 (S2^1/2 S1 S2^1/2)^1/2) given S2's eigendecomposition. */
function buresCovTerm(S1: ArrayLike<number>, S2: ArrayLike<number>, eig2: SymmetricEigen, d: number): number {
  const h2 = eigenFunction(eig2, d, Math.sqrt);
  const r = symmetricEigenvalues(congruence(h2, S1, d), d);
  let tr = 0;
  for (let i = 0; i < d; i++) tr += S1[i * d + i] + S2[i * d + i] - 2 * Math.sqrt(Math.max(0, r[i]));
  return Math.max(0, tr);
}

/** Squared Bures–Wasserstein distance W2^2(N(m1,S1), N(m2,S2)) = |m1-m2|^2 + tr(S1 + S2 - 2 (S2^1/2 S1 S2^1/2)^1/2). */
export function buresW2sq(m1: Float64Array, S1: Float64Array, m2: Float64Array, S2: Float64Array, d: number): number {
  checkDim(d);
  checkMean(m1, d, 'm1');
  checkMean(m2, d, 'm2');
  checkCov(S1, d, 'S1');
  const eig2 = checkCov(S2, d, 'S2');
  return sqDist(m1, m2, d) + buresCovTerm(S1, S2, eig2, d);
}

/** KL(N(m1,S1) | N(m2,S2)) = (tr(S2^-1 S1) - d - log det(S2^-1 S1) + (m2-m1)^T S2^-1 (m2-m1)) / 2. */
export function klGaussian(m1: Float64Array, S1: Float64Array, m2: Float64Array, S2: Float64Array, d: number): number {
  checkDim(d);
  checkMean(m1, d, 'm1');
  checkMean(m2, d, 'm2');
  checkCov(S1, d, 'S1');
  const eig2 = checkCov(S2, d, 'S2');
  const ih2 = eigenFunction(eig2, d, (l) => 1 / Math.sqrt(l));
  // Eigenvalues of K = S2^-1/2 S1 S2^-1/2; sum (k - 1 - log k) avoids the cancellation of tr - d - logdet.
  const k = symmetricEigenvalues(congruence(ih2, S1, d), d);
  let cov = 0;
  for (let i = 0; i < d; i++) cov += xMinusOneMinusLog(k[i]);
  const diff = new Float64Array(d);
  for (let i = 0; i < d; i++) diff[i] = m2[i] - m1[i];
  const w = matvec(ih2, diff, d, d);
  let mahal = 0;
  for (let i = 0; i < d; i++) mahal += w[i] * w[i];
  return 0.5 * (cov + mahal);
}

/** Diagonal-covariance W2^2 in O(d): |m1-m2|^2 + sum_i (sqrt s1_i - sqrt s2_i)^2 (s1, s2 are the variances). */
export function buresW2sqDiag(m1: Float64Array, s1: Float64Array, m2: Float64Array, s2: Float64Array, d: number): number {
  checkDim(d);
  checkMean(m1, d, 'm1');
  checkMean(m2, d, 'm2');
  checkDiag(s1, d, 's1');
  checkDiag(s2, d, 's2');
  let s = sqDist(m1, m2, d);
  for (let i = 0; i < d; i++) {
    const t = Math.sqrt(s1[i]) - Math.sqrt(s2[i]);
    s += t * t;
  }
  return s;
}

/** Diagonal-covariance KL(N(m1,diag s1) | N(m2,diag s2)) in O(d). */
export function klGaussianDiag(m1: Float64Array, s1: Float64Array, m2: Float64Array, s2: Float64Array, d: number): number {
  checkDim(d);
  checkMean(m1, d, 'm1');
  checkMean(m2, d, 'm2');
  checkDiag(s1, d, 's1');
  checkDiag(s2, d, 's2');
  let s = 0;
  for (let i = 0; i < d; i++) {
    const t = m1[i] - m2[i];
    s += xMinusOneMinusLog(s1[i] / s2[i]) + (t * t) / s2[i];
  }
  return 0.5 * s;
}

export interface GaussianOtMap {
  /** Symmetric positive-definite linear part, d x d row-major. */
  readonly A: Float64Array;
  /** Offset: T(x) = A x + b, i.e. b = m2 - A m1 (so T(x) = m2 + A (x - m1)); POT's convention. */
  readonly b: Float64Array;
}

/** Linear part A = S1^-1/2 (S1^1/2 S2 S1^1/2)^1/2 S1^-1/2 of the OT map from N(., S1) to N(., S2). */
function otLinearPart(eig1: SymmetricEigen, S2: ArrayLike<number>, d: number): Float64Array {
  const h1 = eigenFunction(eig1, d, Math.sqrt);
  const ih1 = eigenFunction(eig1, d, (l) => 1 / Math.sqrt(l));
  const eigM = symmetricEigen(congruence(h1, S2, d), d);
  const fv = new Float64Array(d);
  for (let i = 0; i < d; i++) fv[i] = Math.sqrt(Math.max(0, eigM.values[i]));
  return congruence(ih1, reconstruct(eigM.vectors, fv, d), d);
}

/** The optimal (Brenier) map from N(m1,S1) to N(m2,S2): T(x) = m2 + A (x - m1) = A x + b. */
export function gaussianOtMap(m1: Float64Array, S1: Float64Array, m2: Float64Array, S2: Float64Array, d: number): GaussianOtMap {
  checkDim(d);
  checkMean(m1, d, 'm1');
  checkMean(m2, d, 'm2');
  const eig1 = checkCov(S1, d, 'S1');
  checkCov(S2, d, 'S2');
  const A = otLinearPart(eig1, S2, d);
  const am1 = matvec(A, m1, d, d);
  const b = new Float64Array(d);
  for (let i = 0; i < d; i++) b[i] = m2[i] - am1[i];
  return { A, b };
}

/**
 * McCann's displacement interpolation between N(m1,S1) (t = 0) and N(m2,S2) (t = 1):
 * mu_t = ((1-t) I + t A)_# mu_0 = N((1-t) m1 + t m2, M S1 M) with M = (1-t) I + t A. t outside [0, 1] extrapolates.
 */
export function gaussianGeodesic(m1: Float64Array, S1: Float64Array, m2: Float64Array, S2: Float64Array, d: number, t: number): { mean: Float64Array; cov: Float64Array } {
  if (!Number.isFinite(t)) throw new GaussianInputError(`t: must be a finite number, got ${t}`);
  const { A } = gaussianOtMap(m1, S1, m2, S2, d);
  const M = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++) M[i] = t * A[i];
  for (let i = 0; i < d; i++) M[i * d + i] += 1 - t;
  const mean = new Float64Array(d);
  for (let i = 0; i < d; i++) mean[i] = (1 - t) * m1[i] + t * m2[i];
  return { mean, cov: congruence(M, S1, d) };
}
