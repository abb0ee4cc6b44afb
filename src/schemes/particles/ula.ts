// The unadjusted Langevin algorithm on particles (Roberts & Tweedie 1996; Durmus & Moulines 2017): x <- x - g grad V(x) + sqrt(2g) xi.
import { defineScheme } from '../../engine/contract';
import { UlaSchema } from '../params';

export const ulaParticles = defineScheme({
  kind: 'ula',
  schema: UlaSchema,
  measure: 'particles',
  requires: ['klPotential'],
  cite: 'Roberts & Tweedie, Bernoulli 1996; Durmus & Moulines, Ann. Appl. Probab. 2017',
  deterministic: false,
  create(params, problem, mu0, rng) {
    const V = problem.caps.klPotential!;
    const g = params.step;
    const noise = Math.sqrt(2 * g);
    const grad = new Float64Array(mu0.x.length);
    return {
      step(mu) {
        const x = mu.x;
        V.gradPotential(x, mu.n, grad);
        for (let i = 0; i < x.length; i++) x[i] += -g * grad[i] + noise * rng.normal();
      },
    };
  },
});
