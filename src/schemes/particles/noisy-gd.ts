// Noisy particle gradient descent (Zhu, Proximal algorithms in Wasserstein space, eq. 10 and 11): the forward
// scheme for E + tau H, H = -h: theta_i <- theta_i - g grad (dE/dmu)(theta_i) + sqrt(2 g tau) z_i, z_i ~ N(0, I).
import { z } from 'zod';
import { defineScheme } from '../../engine/contract';
import { stepField } from '../params';
import { schemeObjective } from './objective';

export const noisyGdParticles = defineScheme({
  kind: 'noisy-gd',
  schema: z.strictObject({
    kind: z.literal('noisy-gd'),
    step: stepField,
    tau: z.number().min(0).refine(Number.isFinite, { message: 'must be a finite number' })
      .meta({ title: 'Temperature tau', description: 'weight of the negative entropy H = -h in the objective E + tau H; noise sqrt(2 g tau) z' }),
  }).meta({ title: 'Noisy gradient descent (Langevin on the neurons)', description: 'theta_i <- theta_i - g grad (dE/dmu)(theta_i) + sqrt(2 g tau) z_i (Zhu eq. 11); metric objective = E + tau H' }),
  measure: 'particles',
  requires: ['firstVariation'],
  cite: 'Zhu, Proximal algorithms in Wasserstein space, eq. 10-11; Mei, Montanari & Nguyen, PNAS 2018',
  deterministic: false,
  create(params, problem, mu0, rng) {
    const F = problem.caps.firstVariation!;
    const grad = new Float64Array(mu0.x.length);
    const noise = Math.sqrt(2 * params.step * params.tau);
    const objective = schemeObjective(problem, params.tau);
    return {
      metrics: objective.metrics,
      evaluate(mu, _k, sparse, out) { objective.evaluate(mu, sparse, out, 0); },
      step(mu) {
        const x = mu.x;
        F.gradFirstVariation(mu, x, mu.n, grad);
        if (noise > 0) for (let j = 0; j < x.length; j++) x[j] += -params.step * grad[j] + noise * rng.normal();
        else for (let j = 0; j < x.length; j++) x[j] -= params.step * grad[j];
      },
    };
  },
});
