// Problem `gaussian-kl`: exact Gaussian laws of the forward, ULA, forward-backward and JKO schemes for
// F(mu) = KL(mu | pi), pi = N(m, Sigma), V(x) = (x - m)^T A (x - m) / 2 with A = Sigma^-1.
// Every scheme maps Gaussians to Gaussians, so mu_k = N(b_k, S_k) is tracked exactly (the seed is unused).
//
// Two paths:
// - diagonal (target and initial covariances both diagonal): every update is per coordinate, O(d);
// - dense: the state is stored in the eigenbasis of Sigma (x~ = Q x, Q's rows the unit eigenvectors of Sigma),
//   where A, Sigma, (I + gA)^{1/2} are diagonal. Every scheme below commutes with that rotation (its updates
//   only involve A and the state), and KL and W2 are rotation invariant. The initial covariance S_0 stays a
//   full matrix that need not commute with Sigma; snapshots rotate back to the original coordinates.
import type { Simulation, Snapshot } from '../../engine/types';
import type { Scheme } from '../../schemes/schema';
import { matmul, matvec, symmetrizeInPlace, transpose, isDiagonal, congruence } from '../../linalg/dense';
import { LinalgError, symmetricEigen, symmetricEigenvalues } from '../../linalg/eigen';
import { reconstruct, xMinusOneMinusLog } from '../../linalg/spd';
import { checkGaussianKlProblem, type Covariance, type GaussianKlProblem } from './schema';

export interface GaussianKlSimulationOptions {
  /** Use the dense path even when both covariances are diagonal (for tests and benchmarks). */
  readonly forceDense?: boolean;
}

/** Metric names every gaussian-kl run records; `bound_w2sq` is added when a theorem gives one. */
export const GAUSSIAN_KL_METRICS = ['objective', 'kl', 'w2sq'] as const;

function denseOf(cov: Covariance, d: number): Float64Array {
  const out = new Float64Array(d * d);
  if (Array.isArray(cov)) {
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i * d + j] = cov[i][j];
  } else {
    for (let i = 0; i < d; i++) out[i * d + i] = cov.diag[i];
  }
  return out;
}

/** The diagonal of a covariance that is diagonal (as {"diag"} or a dense matrix with zero off-diagonals), else null. */
function diagonalOf(cov: Covariance, d: number): Float64Array | null {
  if (!Array.isArray(cov)) return Float64Array.from(cov.diag);
  const dense = denseOf(cov, d);
  if (!isDiagonal(dense, d)) return null;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) out[i] = dense[i * d + i];
  return out;
}

/**
 * The entropy's JKO root: the y > g solving y - 2g + g^2 / y = c, i.e. y(c) = (c + 2g + sqrt(c^2 + 4gc)) / 2
 * (= ((sqrt c + sqrt(c + 4g)) / 2)^2). Written with sqrt(c) sqrt(c + 4g) so that c^2 never overflows.
 */
function entropyProxRoot(c: number, g: number): number {
  const cc = c > 0 ? c : 0; // c is a PSD eigenvalue; round-off may make it slightly negative
  return 0.5 * (cc + 2 * g + Math.sqrt(cc) * Math.sqrt(cc + 4 * g));
}

interface Target {
  readonly d: number;
  /** Target mean (in the working basis). */
  readonly m: Float64Array;
  /** Target variances = eigenvalues of Sigma (in the working basis, Sigma = diag(sig)). */
  readonly sig: Float64Array;
  /** a = 1 / sig: the eigenvalues of A = Sigma^-1 (Hessian of V). */
  readonly a: Float64Array;
}

/** Mean update shared by both paths (the target is diagonal in the working basis). */
function stepMean(kind: Scheme['kind'], t: Target, g: number, b: Float64Array): void {
  const { d, m, a } = t;
  if (kind === 'jko') {
    // b' = (I + gA)^-1 (b + g A m)
    for (let i = 0; i < d; i++) b[i] = (b[i] + g * a[i] * m[i]) / (1 + g * a[i]);
  } else {
    // forward, ula, fb: b' = b - g A (b - m) (the score of a Gaussian and the noise have mean zero)
    for (let i = 0; i < d; i++) b[i] -= g * a[i] * (b[i] - m[i]);
  }
}

function meanTerms(t: Target, b: Float64Array): { sq: number; mahal: number } {
  let sq = 0;
  let mahal = 0;
  for (let i = 0; i < t.d; i++) {
    const r = b[i] - t.m[i];
    sq += r * r;
    mahal += t.a[i] * r * r;
  }
  return { sq, mahal };
}

/** A Gaussian state and its exact scheme updates; measure returns [kl, w2sq] (NaN once the state broke down). */
interface GaussianState {
  step(): void;
  klW2(): [number, number];
  snapshot(k: number): Snapshot;
}

class DiagonalState implements GaussianState {
  constructor(private readonly kind: Scheme['kind'], private readonly t: Target, private readonly g: number, private readonly b: Float64Array, private readonly s: Float64Array) {}

  step(): void {
    const { kind, t, g, s } = this;
    stepMean(kind, t, g, this.b);
    const a = t.a;
    for (let i = 0; i < t.d; i++) {
      const si = s[i];
      switch (kind) {
        // Wasserstein gradient descent on KL, the "forward" method of Wibisono (COLT 2018, §2.2)
        case 'forward': {
          const mm = 1 - g * a[i] + g / si; // M = I - gA + g S^-1
          s[i] = mm * mm * si;
          break;
        }
        // Unadjusted Langevin algorithm (Roberts & Tweedie 1996; Durmus & Moulines 2017)
        case 'ula': {
          const r = 1 - g * a[i];
          s[i] = r * r * si + 2 * g;
          break;
        }
        // Wasserstein proximal gradient (Wibisono 2018, §2.4; Salim, Korba & Luise, NeurIPS 2020, Alg. 1)
        case 'fb': {
          const r = 1 - g * a[i];
          s[i] = entropyProxRoot(r * r * si, g);
          break;
        }
        // JKO / backward scheme (Jordan, Kinderlehrer & Otto, SIAM J. Math. Anal. 1998)
        case 'jko': {
          const bb = 1 + g * a[i];
          s[i] = entropyProxRoot(si / bb, g) / bb;
          break;
        }
      }
    }
  }

  klW2(): [number, number] {
    const { t, s } = this;
    const { sq, mahal } = meanTerms(t, this.b);
    let klCov = 0;
    let w2Cov = 0;
    for (let i = 0; i < t.d; i++) {
      klCov += xMinusOneMinusLog(s[i] * t.a[i]);
      const r = Math.sqrt(s[i]) - Math.sqrt(t.sig[i]);
      w2Cov += r * r;
    }
    return [0.5 * (klCov + mahal), sq + w2Cov];
  }

  snapshot(k: number): Snapshot {
    return { kind: 'gaussian', iteration: k, mean: Float64Array.from(this.b), cov: null, diag: Float64Array.from(this.s) };
  }
}

class DenseState implements GaussianState {
  private broken = false;
  private readonly tmp: Float64Array;
  private readonly tmp2: Float64Array;

  /** q: rows are the eigenvectors of Sigma (x~ = q x); b, S in that basis. */
  constructor(private readonly kind: Scheme['kind'], private readonly t: Target, private readonly g: number, private readonly q: Float64Array, private readonly b: Float64Array, private readonly S: Float64Array) {
    this.tmp = new Float64Array(t.d * t.d);
    this.tmp2 = new Float64Array(t.d * t.d);
  }

  step(): void {
    if (this.broken) return;
    const { kind, t, g, S, tmp } = this;
    const { d, a } = t;
    stepMean(kind, t, g, this.b);
    try {
      switch (kind) {
        case 'ula': {
          // S' = (I - gA) S (I - gA) + 2g I
          for (let i = 0; i < d; i++) {
            const ri = 1 - g * a[i];
            for (let j = 0; j < d; j++) S[i * d + j] *= ri * (1 - g * a[j]);
            S[i * d + i] += 2 * g;
          }
          break;
        }
        case 'forward': {
          // M = I - gA + g S^-1 (symmetric), S' = M S M
          const eig = symmetricEigen(S, d);
          if (!(eig.values[0] > 0)) throw new LinalgError('covariance lost positive definiteness');
          const inv = new Float64Array(d);
          for (let k = 0; k < d; k++) inv[k] = g / eig.values[k];
          const M = reconstruct(eig.vectors, inv, d, tmp);
          for (let i = 0; i < d; i++) M[i * d + i] += 1 - g * a[i];
          congruence(M, S, d, this.tmp2);
          S.set(this.tmp2);
          break;
        }
        case 'fb': {
          // nu = (I - gA)_# mu: S_nu = (I - gA) S (I - gA); then the entropy's JKO step S' = y(S_nu).
          for (let i = 0; i < d; i++) {
            const ri = 1 - g * a[i];
            for (let j = 0; j < d; j++) tmp[i * d + j] = S[i * d + j] * ri * (1 - g * a[j]);
          }
          this.applyRoot(tmp, null);
          break;
        }
        case 'jko': {
          // C = B^-1/2 S B^-1/2 with B = I + gA; Y = y(C); S' = B^-1/2 Y B^-1/2 (see createGaussianKlSimulation).
          const ihb = new Float64Array(d);
          for (let i = 0; i < d; i++) ihb[i] = 1 / Math.sqrt(1 + g * a[i]);
          for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) tmp[i * d + j] = S[i * d + j] * ihb[i] * ihb[j];
          this.applyRoot(tmp, ihb);
          break;
        }
      }
      for (let i = 0; i < d * d; i++) {
        if (!Number.isFinite(S[i])) {
          this.broken = true;
          break;
        }
      }
    } catch (err) {
      if (!(err instanceof LinalgError)) throw err;
      this.broken = true;
    }
  }

  /** S <- D y(C) D with D = diag(scale) (identity when null), y the entropy root applied to the symmetric C. */
  private applyRoot(c: Float64Array, scale: Float64Array | null): void {
    const { d } = this.t;
    const eig = symmetricEigen(c, d);
    const fv = new Float64Array(d);
    for (let k = 0; k < d; k++) fv[k] = entropyProxRoot(eig.values[k], this.g);
    const S = reconstruct(eig.vectors, fv, d, this.S);
    if (scale) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) S[i * d + j] *= scale[i] * scale[j];
  }

  klW2(): [number, number] {
    if (this.broken) return [NaN, NaN];
    const { t, S, tmp } = this;
    const { d, a, sig } = t;
    const { sq, mahal } = meanTerms(t, this.b);
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
      const eig = symmetricEigen(tmp, d);
      const fv = new Float64Array(d);
      for (let k = 0; k < d; k++) fv[k] = Math.sqrt(Math.max(0, eig.values[k]));
      const E = reconstruct(eig.vectors, fv, d, this.tmp2);
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

  snapshot(k: number): Snapshot {
    const { d } = this.t;
    // original x = Q^T x~, covariance Q^T S~ Q
    const qt = transpose(this.q, d, d);
    const mean = matvec(qt, this.b, d, d);
    const cov = symmetrizeInPlace(matmul(matmul(qt, this.S, d, d, d), this.q, d, d, d), d);
    return { kind: 'gaussian', iteration: k, mean, cov, diag: null };
  }
}

/**
 * Simulation of one scheme on KL(. | N(m, Sigma)) from N(m0, S0), exact in the Gaussian family.
 *
 * Schemes (step g, B = I + gA):
 * - forward: Wasserstein gradient descent mu' = (I - g grad_W KL(mu))_# mu, grad_W KL(mu)(x) = A(x - m) - S^-1(x - b),
 *   an affine map with symmetric linear part M = I - gA + g S^-1: b' = b - gA(b - m), S' = M S M.
 * - ula: law of x' = x - g grad V(x) + sqrt(2g) xi: b' = b - gA(b - m), S' = (I - gA) S (I - gA) + 2g I.
 * - fb: nu = (I - g grad V)_# mu, then mu' = JKO_{gH}(nu) for the negative entropy H. The optimality condition
 *   grad log mu' + (x - T(x))/g = 0 (T the OT map mu' -> nu, linear part N) gives N = I - g S'^-1 and
 *   N S' N = S_nu, i.e. S' - 2g I + g^2 S'^-1 = S_nu: S' = y(S_nu) with y the root > g below
 *   (equivalently S'^1/2 = (S_nu^1/2 + (S_nu + 4g I)^1/2) / 2); the mean is unchanged by the entropy step.
 * - jko: mu' = argmin KL(mu | pi) + W2^2(mu, mu_k) / (2g). Derivation: the first-order condition
 *   grad V + grad log mu' + (x - T(x))/g = 0, with T(x) = b_k + N(x - b') the OT map from mu' = N(b', S') to
 *   mu_k (N symmetric positive definite, N S' N = S_k), reads A(x - m) - S'^-1(x - b') + (x - b_k - N(x - b'))/g = 0
 *   for all x. At x = b': A(b' - m) + (b' - b_k)/g = 0, so b' = (I + gA)^-1 (b_k + gAm). Linear part:
 *   A - S'^-1 + (I - N)/g = 0, so N = B - g S'^-1. Then N S' N = B S' B - 2gB + g^2 S'^-1 = S_k. Multiplying by
 *   B^-1/2 on both sides, with Y = B^1/2 S' B^1/2 (so B^-1/2 S'^-1 B^-1/2 = Y^-1) and C = B^-1/2 S_k B^-1/2:
 *   Y - 2g I + g^2 Y^-1 = C. Y is a function of C; per eigenvalue y^2 - (c + 2g) y + g^2 = 0, whose roots
 *   multiply to g^2, so exactly one is > g: y(c) = (c + 2g + sqrt(c^2 + 4gc)) / 2. N = B^1/2 (I - g Y^-1) B^1/2
 *   is positive definite iff y > g, so this root makes T an OT map; the JKO objective is strictly convex along
 *   generalized geodesics, so this unique critical point is the minimizer. S' = B^-1/2 Y B^-1/2.
 *   (The fb step is the case A = 0, B = I of the same equation.)
 *
 * Metrics: objective = kl = KL(mu_k | pi), w2sq = W2^2(mu_k, pi) (Bures–Wasserstein), and bound_w2sq when a
 * theorem gives one for this scheme and step (see theoryBound).
 */
export function createGaussianKlSimulation(problem: GaussianKlProblem, scheme: Scheme, seed: number, options: GaussianKlSimulationOptions = {}): Simulation {
  void seed; // the Gaussian laws are exact: no sampling
  const issues = checkGaussianKlProblem(problem);
  if (issues.length) throw new RangeError(issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  const d = problem.target.mean.length;
  const g = scheme.step;
  const kind = scheme.kind;
  const m0 = Float64Array.from(problem.target.mean);
  const b0 = Float64Array.from(problem.init.mean);
  const sigDiag = options.forceDense ? null : diagonalOf(problem.target.cov, d);
  const s0Diag = sigDiag ? diagonalOf(problem.init.cov, d) : null;

  let state: GaussianState;
  let target: Target;
  if (sigDiag && s0Diag) {
    target = { d, m: m0, sig: sigDiag, a: sigDiag.map((v) => 1 / v) };
    state = new DiagonalState(kind, target, g, b0, s0Diag);
  } else {
    const eig = symmetricEigen(denseOf(problem.target.cov, d), d);
    const q = eig.vectors;
    target = { d, m: matvec(q, m0, d, d), sig: eig.values, a: eig.values.map((v) => 1 / v) };
    const qt = transpose(q, d, d);
    const S = symmetrizeInPlace(matmul(matmul(q, denseOf(problem.init.cov, d), d, d, d), qt, d, d, d), d);
    state = new DenseState(kind, target, g, q, matvec(q, b0, d, d), S);
  }

  const [, w2sq0] = state.klW2();
  const bound = theoryBound(kind, g, target.a);
  const metricNames = bound ? [...GAUSSIAN_KL_METRICS, 'bound_w2sq'] : [...GAUSSIAN_KL_METRICS];
  return {
    metricNames,
    measure(k: number, out: Float64Array): void {
      const [kl, w2sq] = state.klW2();
      out[0] = kl;
      out[1] = kl;
      out[2] = w2sq;
      if (bound) out[3] = Math.pow(bound.rate, k) * w2sq0;
    },
    step(): void {
      state.step();
    },
    snapshot(k: number): Snapshot {
      return state.snapshot(k);
    },
  };
}

/**
 * The contraction rate r with W2^2(mu_k, pi) <= r^k W2^2(mu_0, pi), when a theorem gives one; lambda and L are the
 * extreme eigenvalues of A = Sigma^-1 (V is lambda-convex and L-smooth).
 * - fb, g <= 1/L: r = 1 - g lambda (Salim, Korba & Luise, NeurIPS 2020, strongly convex case of the Wasserstein
 *   proximal gradient algorithm).
 * - jko, any g: r = 1 / (1 + 2 g lambda). KL(. | pi) is lambda-convex along generalized geodesics (Ambrosio,
 *   Gigli & Savaré 2008, Thm 9.4.11), so the proximal step satisfies the discrete variational inequality (AGS
 *   Thm 4.1.2 (ii)); with v = pi it reads (1 + g lambda) W2^2(mu_{k+1}, pi) <= W2^2(mu_k, pi) - 2g KL(mu_{k+1} | pi),
 *   and Talagrand's inequality KL(mu | pi) >= lambda/2 W2^2(mu, pi) (Otto & Villani 2000) gives
 *   (1 + 2 g lambda) W2^2(mu_{k+1}, pi) <= W2^2(mu_k, pi). (The sharper (1 + g lambda)^-2, a contraction of the
 *   proximal map, is exact in 1-D and holds in our tests, but we know no proof for W2 in d >= 2, so it is not declared.)
 * - forward, ula: none declared (ULA converges to a biased law; its known bounds carry constants we do not model).
 */
export function theoryBound(kind: Scheme['kind'], g: number, a: Float64Array): { rate: number } | null {
  let lambda = Infinity;
  let L = 0;
  for (const v of a) {
    lambda = Math.min(lambda, v);
    L = Math.max(L, v);
  }
  if (kind === 'fb' && g * L <= 1 + 1e-12) return { rate: Math.max(0, 1 - g * lambda) };
  if (kind === 'jko') return { rate: 1 / (1 + 2 * g * lambda) };
  return null;
}
