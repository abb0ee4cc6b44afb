// The law of the unadjusted Langevin algorithm in the Gaussian family, exact (Roberts & Tweedie 1996; Durmus & Moulines 2017).
import { defineScheme } from '../../engine/contract';
import { gradientStepMean, guardedDenseUpdate } from '../../measures/gaussian';
import { UlaSchema } from '../params';

// x' = x - g grad V(x) + sqrt(2g) xi: b' = b - gA(b - m), S' = (I - gA) S (I - gA) + 2g I.
export const ulaGaussian = defineScheme({
  kind: 'ula',
  schema: UlaSchema,
  measure: 'gaussian',
  requires: ['gaussianQuadratic'],
  cite: 'Roberts & Tweedie, Bernoulli 1996; Durmus & Moulines, Ann. Appl. Probab. 2017',
  deterministic: true,
  create(params, problem) {
    const t = problem.caps.gaussianQuadratic!;
    const g = params.step;
    return {
      step(mu) {
        gradientStepMean(t, g, mu.mean);
        const { d, a } = t;
        if (mu.diag) {
          for (let i = 0; i < d; i++) {
            const r = 1 - g * a[i];
            mu.diag[i] = r * r * mu.diag[i] + 2 * g;
          }
          return;
        }
        guardedDenseUpdate(mu, (S) => {
          for (let i = 0; i < d; i++) {
            const ri = 1 - g * a[i];
            for (let j = 0; j < d; j++) S[i * d + j] *= ri * (1 - g * a[j]);
            S[i * d + i] += 2 * g;
          }
        });
      },
    };
  },
});
