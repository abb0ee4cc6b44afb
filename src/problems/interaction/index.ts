// Problem `interaction`: the ill-conditioned interaction energy of Bonet, Uscidda, David, Aubin-Frankowski & Korba,
// Mirror and Preconditioned Gradient Descent in Wasserstein Space, NeurIPS 2024, Sec. 6.1 (Fig. 1):
// W(mu) = int int W(x - y) dmu dmu, W(z) = q^2/4 - q/2, q = z^T Sigma^-1 z, logged as the authors do (the mean over
// all n^2 ordered pairs, no 1/2; min -1/6, e.g. a uniform ring q = 1/3 after the change z = Sigma^1/2 u). The
// schemes follow the authors' step convention: grad_W = (1/n) sum_j grad W(x_i - x_j), which is the Wasserstein
// gradient of W(mu) / 2; `firstVariation` therefore offers the gradient of d(W/2)/dmu.
import { z } from 'zod';
import { defineProblem, type MetricDef } from '../../engine/contract';
import { convolveGrad, pairEnergy, pairKernel, selfGrad, applyRows } from '../../mirror/kernels';
import { isSymmetricPositiveDefinite } from '../../linalg/cholesky';
import { invSpd } from '../../linalg/spd';
import { CovarianceSchema, covDimension, type Covariance } from '../gaussian-kl/schema';
import { checkInit, initialParticles, InitSchema } from '../particle-laws';
import type { SetupIssue } from '../../setup/issues';

export const INTERACTION_MINIMUM = -1 / 6;

export const InteractionProblemSchema = z.strictObject({
  kind: z.literal('interaction'),
  sigma: CovarianceSchema.default({ diag: [100, 1] }).meta({ title: 'Sigma', description: 'W(z) = q^2/4 - q/2 with q = z^T Sigma^-1 z; d x d SPD matrix or {"diag": [...]}' }),
  init: InitSchema.default({ kind: 'gaussian', mean: [0, 0], cov: { diag: [0.0625, 0.0625] }, particles: 100 }),
}).meta({ title: 'Interaction energy (Bonet et al. 2024)', description: 'W(mu) = mean over pairs of q^2/4 - q/2, q = (x_i - x_j)^T Sigma^-1 (x_i - x_j); min -1/6' });
export type InteractionProblem = z.infer<typeof InteractionProblemSchema>;

/** A covariance written as a dense row-major matrix. */
export function denseCovariance(cov: Covariance): Float64Array {
  const d = covDimension(cov);
  const out = new Float64Array(d * d);
  if (Array.isArray(cov)) cov.forEach((row, i) => row.forEach((v, j) => { out[i * d + j] = v; }));
  else cov.diag.forEach((v, i) => { out[i * d + i] = v; });
  return out;
}

export function checkSpd(cov: Covariance, path: string): SetupIssue[] {
  if (!Array.isArray(cov)) return [];
  const d = cov.length;
  const bad = cov.findIndex((row) => row.length !== d);
  if (bad >= 0) return [{ path: `${path}[${bad}]`, message: `has ${cov[bad].length} entries, but must have ${d} (the matrix is d x d)` }];
  if (!isSymmetricPositiveDefinite(denseCovariance(cov), d)) return [{ path, message: 'must be symmetric positive definite (symmetric, with all eigenvalues > 0)' }];
  return [];
}

const DEFS: MetricDef[] = [
  { name: 'objective', label: 'W(μ) = mean of W(xi − xj)', log: false, cadence: 'step', description: 'the authors\' log: mean over all n^2 ordered pairs, no 1/2' },
  { name: 'gap', label: 'W(μ) + 1/6', log: true, cadence: 'step', description: 'distance to the minimum -1/6 (every empirical measure has W >= -1/6)' },
];

export const interactionProblem = defineProblem({
  kind: 'interaction',
  schema: InteractionProblemSchema,
  measure: 'particles',
  capabilities: ['firstVariation', 'anisotropy'],
  cite: 'Bonet, Uscidda, David, Aubin-Frankowski & Korba, Mirror and Preconditioned GD in Wasserstein Space, NeurIPS 2024, Sec. 6.1',
  check(p, path) {
    const issues = checkSpd(p.sigma, `${path}.sigma`);
    return issues.length ? issues : checkInit(p.init, covDimension(p.sigma), `${path}.init`);
  },
  create(p, ctx) {
    const d = covDimension(p.sigma);
    const sigma = denseCovariance(p.sigma);
    const sigmaInv = invSpd(sigma, d);
    const ker = pairKernel(sigmaInv, d, 0.25, -0.5);
    const mu = initialParticles(p.init, ctx.rng);
    const Ax = new Float64Array(mu.n * d);
    return {
      init: mu,
      caps: {
        firstVariation: {
          gradFirstVariation(cur, at, nAt, out) {
            if (at === cur.x && !cur.w) {
              applyRows(sigmaInv, cur.x, cur.n, d, Ax);
              selfGrad(ker, cur.x, Ax, cur.n, out);
            } else convolveGrad(ker, cur.x, cur.n, cur.w, at, nAt, out);
          },
        },
        anisotropy: { d, sigma, sigmaInv },
      },
      metrics: DEFS,
      references: [{ metric: 'objective', value: INTERACTION_MINIMUM, label: 'min W = -1/6' }],
      evaluate(cur, _k, _sparse, out) {
        const v = pairEnergy(ker, cur.x, cur.n, cur.w);
        out[0] = v;
        out[1] = v - INTERACTION_MINIMUM;
      },
    };
  },
});
