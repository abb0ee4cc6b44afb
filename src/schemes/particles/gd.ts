// Wasserstein gradient descent on particles, the forward scheme: theta_i <- theta_i - g grad (dF/dmu)(theta_i)
// (Zhu, Proximal algorithms in Wasserstein space, eq. 3 and 11 with tau = 0; Chizat & Bach, NeurIPS 2018;
// Bonet et al., NeurIPS 2024, Sec. 3, eq. 2).
import { z } from 'zod';
import { defineScheme } from '../../engine/contract';
import { stepField } from '../params';
import { schemeObjective } from './objective';

export const gdParticles = defineScheme({
  kind: 'gd',
  schema: z.strictObject({ kind: z.literal('gd'), step: stepField })
    .meta({ title: 'Wasserstein gradient descent (particles)', description: 'x <- x - g grad (dF/dmu)(x): the forward Euler step of the Wasserstein gradient flow on the particles' }),
  measure: 'particles',
  requires: ['firstVariation'],
  cite: 'Wasserstein gradient descent, forward Euler (Zhu, eq. 3 and 11 with tau = 0; Chizat & Bach, NeurIPS 2018; Bonet et al., NeurIPS 2024, eq. 2)',
  deterministic: true,
  create(params, problem, mu0) {
    const F = problem.caps.firstVariation!;
    const grad = new Float64Array(mu0.n * mu0.dim);
    const objective = schemeObjective(problem, 0);
    return {
      metrics: objective.metrics,
      evaluate(mu, _k, sparse, out) { objective.evaluate(mu, sparse, out, 0); },
      step(mu) {
        const x = mu.x;
        F.gradFirstVariation(mu, x, mu.n, grad);
        for (let j = 0; j < x.length; j++) x[j] -= params.step * grad[j];
      },
    };
  },
});
