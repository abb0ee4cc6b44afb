// Problem `gaussian-kl`: F(mu) = KL(mu | pi) for a Gaussian target pi = N(m, Sigma), mu_0 Gaussian, V(x) =
// (x - m)^T Sigma^-1 (x - m) / 2. Offers the quadratic form of V in the eigenbasis of Sigma to the exact
// Gaussian schemes (forward, ula, fb, jko in src/schemes/gaussian/), whose updates commute with that rotation.
//
// Two paths (see src/measures/gaussian.ts): diagonal when target and initial covariances are both diagonal
// (O(d) per step); otherwise dense in the eigenbasis of Sigma (x~ = Q x), where A, Sigma, (I + gA)^{1/2} are
// diagonal and the initial covariance stays a full matrix that need not commute with Sigma. KL and W2 are
// rotation invariant.
import { matmul, matvec, symmetrizeInPlace, transpose, isDiagonal } from '../../linalg/dense';
import { symmetricEigen } from '../../linalg/eigen';
import { defineProblem, type GaussianQuadratic, type ProblemInstance } from '../../engine/contract';
import { gaussianMeasure, klAndW2, type GaussianMeasure } from '../../measures/gaussian';
import { checkGaussianKlProblem, GaussianKlProblemSchema, isSpectrumCovariance, type Covariance, type GaussianKlProblem } from './schema';
import { randomOrthogonal } from '../../linalg/orthogonal';
import type { Rng } from '../../random';

export interface GaussianKlOptions {
  /** Use the dense path even when both covariances are diagonal (for tests and benchmarks). */
  readonly forceDense?: boolean;
  /** Draws the eigenvectors of a target covariance given as {"spectrum", "rotation": "random"} (the run's problem stream). */
  readonly rng?: Rng;
}

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

/** The problem instance: the initial Gaussian in the working basis, the quadratic form of V, and KL / W2^2 metrics. */
export function createGaussianKlInstance(problem: GaussianKlProblem, options: GaussianKlOptions = {}): ProblemInstance<'gaussian'> {
  const issues = checkGaussianKlProblem(problem);
  if (issues.length) throw new RangeError(issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  const d = problem.target.mean.length;
  const m0 = Float64Array.from(problem.target.mean);
  const b0 = Float64Array.from(problem.init.mean);
  const tcov = problem.target.cov;
  const sigDiag = options.forceDense || isSpectrumCovariance(tcov) ? null : diagonalOf(tcov, d);
  const s0Diag = sigDiag ? diagonalOf(problem.init.cov, d) : null;
  let init: GaussianMeasure;
  let quad: GaussianQuadratic;
  if (isSpectrumCovariance(tcov)) {
    // Sigma = Q diag(spectrum) Q^T: the working basis is Q^T (rows = eigenvectors), where Sigma is diag(spectrum)
    if (!options.rng) throw new RangeError('problem.target.cov: a random rotation needs the run\'s random stream');
    const q = transpose(randomOrthogonal(d, options.rng), d, d);
    const sig = Float64Array.from(tcov.spectrum);
    quad = { d, m: matvec(q, m0, d, d), sig, a: sig.map((v) => 1 / v) };
    const S = symmetrizeInPlace(matmul(matmul(q, denseOf(problem.init.cov, d), d, d, d), transpose(q, d, d), d, d, d), d);
    init = gaussianMeasure(d, q, matvec(q, b0, d, d), null, S);
  } else if (sigDiag && s0Diag) {
    quad = { d, m: m0, sig: sigDiag, a: sigDiag.map((v) => 1 / v) };
    init = gaussianMeasure(d, null, b0, s0Diag, null);
  } else {
    const eig = symmetricEigen(denseOf(tcov, d), d);
    const q = eig.vectors;
    quad = { d, m: matvec(q, m0, d, d), sig: eig.values, a: eig.values.map((v) => 1 / v) };
    const S = symmetrizeInPlace(matmul(matmul(q, denseOf(problem.init.cov, d), d, d, d), transpose(q, d, d), d, d, d), d);
    init = gaussianMeasure(d, q, matvec(q, b0, d, d), null, S);
  }
  return {
    init,
    caps: { gaussianQuadratic: quad },
    metrics: [
      { name: 'objective', label: 'F(μ) = KL(μ | π)', log: true, cadence: 'step' },
      { name: 'kl', label: 'KL(μ | π)', log: true, cadence: 'step' },
      { name: 'w2sq', label: 'W2²(μ, π)', log: true, cadence: 'step' },
    ],
    references: [{ metric: 'objective', value: 0, label: 'min F = 0 at μ = π' }],
    evaluate(mu, _k, _sparse, out) {
      const [kl, w2sq] = klAndW2(mu, quad);
      out[0] = kl;
      out[1] = kl;
      out[2] = w2sq;
    },
  };
}

export const gaussianKlProblem = defineProblem({
  kind: 'gaussian-kl',
  schema: GaussianKlProblemSchema,
  measure: 'gaussian',
  capabilities: ['gaussianQuadratic'],
  cite: 'KL divergence to a Gaussian; exact Gaussian laws of each scheme (Wibisono 2018; Salim, Korba & Luise 2020)',
  check: (params, path) => checkGaussianKlProblem(params, path),
  deterministic: (params) => !isSpectrumCovariance(params.target.cov),
  create: (params, ctx) => createGaussianKlInstance(params, { rng: ctx.rng }),
});
