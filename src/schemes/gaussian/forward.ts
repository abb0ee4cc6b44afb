// Wasserstein gradient descent on KL in the Gaussian family, exact (Wibisono, COLT 2018, §2.2, the "forward" method).
import { congruence } from '../../linalg/dense';
import { LinalgError, symmetricEigen } from '../../linalg/eigen';
import { reconstruct } from '../../linalg/spd';
import { defineScheme } from '../../engine/contract';
import { gradientStepMean, guardedDenseUpdate } from '../../measures/gaussian';
import { stepOnly } from '../params';

// mu' = (I - g grad_W KL(mu))_# mu, grad_W KL(mu)(x) = A(x - m) - S^-1(x - b): an affine map with symmetric
// linear part M = I - gA + g S^-1, so b' = b - gA(b - m), S' = M S M.
export const forwardGaussian = defineScheme({
  kind: 'forward',
  schema: stepOnly('forward', 'Forward (Wasserstein gradient descent)', 'mu_{k+1} = (I - g grad_W F(mu_k))_# mu_k'),
  measure: 'gaussian',
  requires: ['gaussianQuadratic'],
  cite: 'Wibisono, Sampling as optimization in the space of measures (COLT 2018), §2.2',
  deterministic: true,
  create(params, problem) {
    const t = problem.caps.gaussianQuadratic!;
    const g = params.step;
    return {
      step(mu) {
        gradientStepMean(t, g, mu.mean);
        const { d, a } = t;
        if (mu.diag) {
          const s = mu.diag;
          for (let i = 0; i < d; i++) {
            const mm = 1 - g * a[i] + g / s[i];
            s[i] = mm * mm * s[i];
          }
          return;
        }
        guardedDenseUpdate(mu, (S) => {
          const eig = symmetricEigen(S, d);
          if (!(eig.values[0] > 0)) throw new LinalgError('covariance lost positive definiteness');
          const inv = new Float64Array(d);
          for (let k = 0; k < d; k++) inv[k] = g / eig.values[k];
          const M = reconstruct(eig.vectors, inv, d, mu.tmp);
          for (let i = 0; i < d; i++) M[i * d + i] += 1 - g * a[i];
          congruence(M, S, d, mu.tmp2);
          S.set(mu.tmp2);
        });
      },
    };
  },
});
