// Wasserstein gradient descent on particles: x <- x - step grad (dF/dmu)(x) (forward Euler of the Wasserstein
// gradient flow; Bonet et al., NeurIPS 2024, Sec. 3, eq. 2; Ambrosio, Gigli & Savare 2008).
import { z } from 'zod';
import { defineScheme } from '../../engine/contract';
import { stepField } from '../params';

export const gdParticles = defineScheme({
  kind: 'gd',
  schema: z.strictObject({ kind: z.literal('gd'), step: stepField })
    .meta({ title: 'Wasserstein gradient descent (particles)', description: 'x <- x - g grad (dF/dmu)(x)' }),
  measure: 'particles',
  requires: ['firstVariation'],
  cite: 'Wasserstein gradient descent, forward Euler (Bonet et al., NeurIPS 2024, eq. 2)',
  deterministic: true,
  create(params, problem, mu0) {
    const F = problem.caps.firstVariation!;
    const grad = new Float64Array(mu0.n * mu0.dim);
    return {
      step(mu) {
        const x = mu.x;
        F.gradFirstVariation(mu, x, mu.n, grad);
        for (let j = 0; j < x.length; j++) x[j] -= params.step * grad[j];
      },
    };
  },
});
