// The MMD gradient flow with noise injection (Arbel, Korba, Salim & Gretton, NeurIPS 2019, eq. 13):
// x_i <- x_i - g grad w(x_i + beta u_i), w the witness function (the first variation of F), u_i ~ N(0, I) fresh each step.
import { z } from 'zod';
import { defineScheme } from '../../engine/contract';
import { stepField } from '../params';

export const mmdFlowParticles = defineScheme({
  kind: 'mmd-flow',
  schema: z.strictObject({
    kind: z.literal('mmd-flow'),
    step: stepField,
    beta: z.number().min(0).refine(Number.isFinite, { message: 'must be a finite number' }).default(0)
      .meta({ title: 'Noise level beta', description: 'the gradient is taken at x + beta u, u ~ N(0, I); 0 = plain gradient descent on the particles' }),
  }).meta({ title: 'MMD flow (noise injection)', description: 'x <- x - g grad (dF/dmu)(x + beta u) (Arbel et al. 2019)' }),
  measure: 'particles',
  requires: ['firstVariation'],
  cite: 'Arbel, Korba, Salim & Gretton, Maximum Mean Discrepancy Gradient Flow, NeurIPS 2019, eq. 13',
  deterministic: false,
  create(params, problem, mu0, rng) {
    const F = problem.caps.firstVariation!;
    const { n, dim: d } = mu0;
    const at = new Float64Array(n * d);
    const grad = new Float64Array(n * d);
    return {
      step(mu) {
        const x = mu.x;
        if (params.beta > 0) for (let j = 0; j < n * d; j++) at[j] = x[j] + params.beta * rng.normal();
        else at.set(x);
        F.gradFirstVariation(mu, at, n, grad);
        for (let j = 0; j < n * d; j++) x[j] -= params.step * grad[j];
      },
    };
  },
});
