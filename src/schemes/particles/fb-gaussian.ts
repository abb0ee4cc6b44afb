// Forward-backward on particles, "closed-form particle implementation" (Salim, Korba & Luise, NeurIPS 2020, §5):
// y_i = x_i - g grad V(x_i), then the JKO step of the entropy for the Gaussian fitted to the y_i, applied by its OT map.
import { defineScheme } from '../../engine/contract';
import { fbGaussianEntropyStep } from '../../particles/moments';
import { stepOnly } from '../params';

export const fbGaussianParticles = defineScheme({
  kind: 'fb-gaussian',
  schema: stepOnly('fb-gaussian', 'Forward-backward, Gaussian entropy step',
    'gradient step on V, then the entropy\'s JKO step of the Gaussian fit applied by its optimal map; exact when mu_0 and pi are Gaussian'),
  measure: 'particles',
  requires: ['klPotential'],
  cite: 'Salim, Korba & Luise, The Wasserstein Proximal Gradient Algorithm, NeurIPS 2020, §5 (closed-form particle implementation)',
  deterministic: true,
  create(params, problem, mu0) {
    const V = problem.caps.klPotential!;
    const { n, dim: d } = mu0;
    const g = params.step;
    const grad = new Float64Array(n * d);
    return {
      step(mu) {
        const x = mu.x;
        V.gradPotential(x, n, grad);
        for (let j = 0; j < n * d; j++) x[j] -= g * grad[j];
        fbGaussianEntropyStep(x, n, d, g);
      },
    };
  },
});
