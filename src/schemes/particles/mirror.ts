// Mirror descent in Wasserstein space with an interaction Bregman potential phi(mu) = int int K(x - y) dmu dmu
// (Bonet, Uscidda, David, Aubin-Frankowski & Korba, NeurIPS 2024, Sec. 4, eq. 8 and Sec. 6.1): the implicit step
// grad_W phi(mu_{k+1}) o T_{k+1} = grad_W phi(mu_k) - tau grad_W F(mu_k), solved for the new particles by Newton's
// method warm-started at x_k (src/mirror/newton.ts). grad_W phi uses the same (1/n) sum_j convention as the energy.
import { z } from 'zod';
import { defineScheme, type MetricDef } from '../../engine/contract';
import { stepField } from '../params';
import { applyRows, identityMatrix, pairKernel, selfGrad, type PairKernel } from '../../mirror/kernels';
import { newtonWork, solveMirrorStep } from '../../mirror/newton';

export const MIRROR_POTENTIALS = ['K2', 'K2_Sigma', 'K4', 'K4_Sigma'] as const;
export type MirrorPotential = (typeof MIRROR_POTENTIALS)[number];

export const MirrorSchema = z.strictObject({
  kind: z.literal('mirror'),
  step: stepField,
  potential: z.enum(MIRROR_POTENTIALS).default('K4_Sigma')
    .meta({ title: 'Mirror potential K', description: 'K2 = |z|^2/2, K2_Sigma = z^T Sigma^-1 z/2, K4 = |z|^4/4 + |z|^2/2, K4_Sigma = q^2/4 + q/2 (Sigma: the problem\'s)' }),
  tol: z.number().positive().max(1).default(1e-5).meta({ title: 'Newton tolerance', description: 'stop when the Newton step norm (all n x d coordinates) is <= tol' }),
  max_iter: z.int().min(1).max(10_000).default(100).meta({ title: 'Newton iteration cap' }),
}).meta({ title: 'Mirror descent (interaction potential)', description: 'implicit step grad_W phi(mu_k+1) o T = grad_W phi(mu_k) - g grad_W F(mu_k), Newton on all particles (Bonet et al. 2024)' });

/** The mirror potential K as a pair kernel f(z^T A z); Sigma^-1 is needed for the *_Sigma potentials. */
export function mirrorKernel(potential: MirrorPotential, d: number, sigmaInv: Float64Array | null): PairKernel {
  const sigmaPot = potential.endsWith('_Sigma');
  if (sigmaPot && !sigmaInv) throw new RangeError(`scheme.potential: ${potential} needs a problem with a matrix Sigma (e.g. interaction); use K2 or K4`);
  const A = sigmaPot ? sigmaInv! : identityMatrix(d);
  return potential.startsWith('K2') ? pairKernel(A, d, 0, 0.5) : pairKernel(A, d, 0.25, 0.5);
}

const METRICS: MetricDef[] = [
  { name: 'newton_iterations', label: 'Newton iterations', log: false, cadence: 'step', description: 'Newton steps of the last mirror step' },
  { name: 'newton_residual', label: 'Newton residual', log: true, cadence: 'step', description: '|grad_W phi(mu_k+1) o T - (grad_W phi(mu_k) - g grad_W F(mu_k))| after the last mirror step' },
];

export const mirrorParticles = defineScheme({
  kind: 'mirror',
  schema: MirrorSchema,
  measure: 'particles',
  requires: ['firstVariation'],
  cite: 'Bonet, Uscidda, David, Aubin-Frankowski & Korba, Mirror and Preconditioned GD in Wasserstein Space, NeurIPS 2024, eq. 8',
  deterministic: true,
  create(params, problem, mu0) {
    const F = problem.caps.firstVariation!;
    const { n, dim: d } = mu0;
    if (mu0.w) throw new RangeError('scheme: mirror descent runs on uniformly weighted particles');
    const an = problem.caps.anisotropy;
    if (an && an.d !== d) throw new RangeError(`problem: Sigma is ${an.d} x ${an.d}, but the particles have dimension ${d}`);
    const ker = mirrorKernel(params.potential, d, an ? an.sigmaInv : null);
    const grad = new Float64Array(n * d);
    const b = new Float64Array(n * d);
    const Ax = new Float64Array(n * d);
    const y = new Float64Array(n * d);
    const work = newtonWork(n, d);
    const opt = { tol: params.tol, maxIter: params.max_iter };
    let lastIter = NaN;
    let lastRes = NaN;
    let failed = 0;
    let firstFailure = -1;
    let worst = 0;
    return {
      metrics: METRICS,
      step(mu, k) {
        const x = mu.x;
        F.gradFirstVariation(mu, x, n, grad);
        applyRows(ker.A, x, n, d, Ax);
        selfGrad(ker, x, Ax, n, b);
        for (let j = 0; j < n * d; j++) b[j] -= params.step * grad[j];
        y.set(x);
        const r = solveMirrorStep(ker, b, y, n, opt, work);
        lastIter = r.iterations;
        lastRes = r.residual;
        if (!r.converged) {
          failed++;
          if (firstFailure < 0) firstFailure = k;
          worst = Math.max(worst, Number.isFinite(r.residual) ? r.residual : Infinity);
        }
        x.set(y);
      },
      evaluate(_mu, k, _sparse, out) {
        // k = 0: no step solved yet
        out[0] = k === 0 ? 0 : lastIter;
        out[1] = k === 0 ? 0 : lastRes;
      },
      warning() {
        if (!failed) return undefined;
        return `mirror: Newton did not reach step norm <= ${params.tol} within ${params.max_iter} iterations in ${failed} step(s), first at k = ${firstFailure} (largest residual ${worst.toPrecision(3)})`;
      },
    };
  },
});
