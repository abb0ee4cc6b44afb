// Forward-backward (Wasserstein proximal gradient) in the Gaussian family, exact (Salim, Korba & Luise, NeurIPS 2020, Alg. 1; Wibisono 2018, §2.4).
import { defineScheme } from '../../engine/contract';
import { applySpectralInto, entropyProxRoot, gradientStepMean, guardedDenseUpdate } from '../../measures/gaussian';
import { stepOnly } from '../params';

// nu = (I - g grad V)_# mu, then mu' = JKO_{gH}(nu) for the negative entropy H. The optimality condition
// grad log mu' + (x - T(x))/g = 0 (T the OT map mu' -> nu, linear part N) gives N = I - g S'^-1 and N S' N = S_nu,
// i.e. S' - 2g I + g^2 S'^-1 = S_nu: S' = y(S_nu) with y the root > g (entropyProxRoot); the entropy step keeps the mean.
export const fbGaussian = defineScheme({
  kind: 'fb',
  schema: stepOnly('fb', 'Forward-backward (Wasserstein proximal gradient)', 'gradient step on V, then JKO step of the entropy (Salim, Korba, Luise 2020)'),
  measure: 'gaussian',
  requires: ['gaussianQuadratic'],
  cite: 'Salim, Korba & Luise, The Wasserstein Proximal Gradient Algorithm, NeurIPS 2020, Alg. 1',
  deterministic: true,
  create(params, problem) {
    const t = problem.caps.gaussianQuadratic!;
    const g = params.step;
    const root = (c: number) => entropyProxRoot(c, g);
    return {
      step(mu) {
        gradientStepMean(t, g, mu.mean);
        const { d, a } = t;
        if (mu.diag) {
          for (let i = 0; i < d; i++) {
            const r = 1 - g * a[i];
            mu.diag[i] = root(r * r * mu.diag[i]);
          }
          return;
        }
        guardedDenseUpdate(mu, (S) => {
          const c = mu.tmp;
          for (let i = 0; i < d; i++) {
            const ri = 1 - g * a[i];
            for (let j = 0; j < d; j++) c[i * d + j] = S[i * d + j] * ri * (1 - g * a[j]);
          }
          applySpectralInto(S, c, d, root, null);
        });
      },
    };
  },
  // Salim, Korba & Luise 2020, strongly convex case: W2^2(mu_k, pi) <= (1 - g lambda)^k W2^2(mu_0, pi) when g <= 1/L,
  // lambda and L the extreme eigenvalues of A = Sigma^-1.
  bounds(params, problem) {
    const a = problem.caps.gaussianQuadratic!.a;
    let lambda = Infinity;
    let L = 0;
    for (const v of a) {
      lambda = Math.min(lambda, v);
      L = Math.max(L, v);
    }
    const g = params.step;
    if (g * L > 1 + 1e-12) return [];
    return [{ name: 'bound_w2sq', label: 'W2² bound (1 - gλ)^k', of: 'w2sq', rate: Math.max(0, 1 - g * lambda) }];
  },
});
