// Wasserstein gradient descent on KL with the score of mu estimated by a Gaussian kernel density estimate:
// x_i <- x_i - g (grad V(x_i) + grad log rho_h(x_i)), rho_h = (1/n) sum_j N(., x_j, h^2 I) (the "forward" method, Wibisono 2018, with a KDE score).
import { z } from 'zod';
import { defineScheme } from '../../engine/contract';
import { kdeScore, silvermanBandwidth } from '../../particles/kernels';
import { stepField } from '../params';

export const forwardKdeParticles = defineScheme({
  kind: 'forward-kde',
  schema: z.strictObject({
    kind: z.literal('forward-kde'),
    step: stepField,
    bandwidth: z.union([z.number().positive(), z.literal('silverman')]).default('silverman')
      .meta({ title: 'KDE bandwidth h', description: 'standard deviation of the Gaussian kernel; "silverman": the rule of thumb recomputed every step' }),
  }).meta({ title: 'Forward with a KDE score', description: 'x <- x - g (grad V(x) + grad log rho_h(x)), rho_h a Gaussian KDE of the particles' }),
  measure: 'particles',
  requires: ['klPotential'],
  cite: 'Wibisono, Sampling as optimization in the space of measures (COLT 2018), §2.2, with a kernel density estimate of the score',
  deterministic: true,
  create(params, problem, mu0) {
    const V = problem.caps.klPotential!;
    const { n, dim: d } = mu0;
    const g = params.step;
    const grad = new Float64Array(n * d);
    const score = new Float64Array(n * d);
    return {
      step(mu) {
        const x = mu.x;
        V.gradPotential(x, n, grad);
        const h = params.bandwidth === 'silverman' ? silvermanBandwidth(x, n, d) : params.bandwidth;
        kdeScore(x, n, d, h, score);
        for (let j = 0; j < n * d; j++) x[j] -= g * (grad[j] + score[j]);
      },
    };
  },
});
