// The JKO (backward, proximal) scheme on KL in the Gaussian family, exact (Jordan, Kinderlehrer & Otto, SIAM J. Math. Anal. 1998).
import { defineScheme } from '../../engine/contract';
import { applySpectralInto, entropyProxRoot, guardedDenseUpdate } from '../../measures/gaussian';
import { stepOnly } from '../params';

// mu' = argmin KL(mu | pi) + W2^2(mu, mu_k) / (2g). Derivation: the first-order condition
// grad V + grad log mu' + (x - T(x))/g = 0, with T(x) = b_k + N(x - b') the OT map from mu' = N(b', S') to
// mu_k (N symmetric positive definite, N S' N = S_k), reads A(x - m) - S'^-1(x - b') + (x - b_k - N(x - b'))/g = 0
// for all x. At x = b': A(b' - m) + (b' - b_k)/g = 0, so b' = (I + gA)^-1 (b_k + gAm). Linear part:
// A - S'^-1 + (I - N)/g = 0, so N = B - g S'^-1 with B = I + gA. Then N S' N = B S' B - 2gB + g^2 S'^-1 = S_k.
// Multiplying by B^-1/2 on both sides, with Y = B^1/2 S' B^1/2 and C = B^-1/2 S_k B^-1/2: Y - 2g I + g^2 Y^-1 = C.
// Per eigenvalue y^2 - (c + 2g) y + g^2 = 0, whose roots multiply to g^2, so exactly one is > g (entropyProxRoot);
// N = B^1/2 (I - g Y^-1) B^1/2 is positive definite iff y > g, so this root makes T an OT map; the JKO objective is
// strictly convex along generalized geodesics, so this critical point is the minimizer. S' = B^-1/2 Y B^-1/2.
export const jkoGaussian = defineScheme({
  kind: 'jko',
  schema: stepOnly('jko', 'JKO (backward / proximal)', 'mu_{k+1} = argmin F(mu) + W2^2(mu, mu_k) / (2g) (Jordan, Kinderlehrer, Otto 1998)'),
  measure: 'gaussian',
  requires: ['gaussianQuadratic'],
  cite: 'Jordan, Kinderlehrer & Otto, SIAM J. Math. Anal. 1998',
  deterministic: true,
  create(params, problem) {
    const t = problem.caps.gaussianQuadratic!;
    const g = params.step;
    const { d, a, m } = t;
    const ihb = new Float64Array(d);
    for (let i = 0; i < d; i++) ihb[i] = 1 / Math.sqrt(1 + g * a[i]);
    const root = (c: number) => entropyProxRoot(c, g);
    return {
      step(mu) {
        const b = mu.mean;
        for (let i = 0; i < d; i++) b[i] = (b[i] + g * a[i] * m[i]) / (1 + g * a[i]);
        if (mu.diag) {
          for (let i = 0; i < d; i++) {
            const bb = 1 + g * a[i];
            mu.diag[i] = root(mu.diag[i] / bb) / bb;
          }
          return;
        }
        guardedDenseUpdate(mu, (S) => {
          const c = mu.tmp;
          for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * d + j] = S[i * d + j] * ihb[i] * ihb[j];
          applySpectralInto(S, c, d, root, ihb);
        });
      },
    };
  },
  // (1 + 2 g lambda) W2^2(mu_{k+1}, pi) <= W2^2(mu_k, pi): KL(. | pi) is lambda-convex along generalized geodesics
  // (Ambrosio, Gigli & Savaré 2008, Thm 9.4.11), so the proximal step satisfies the discrete variational inequality
  // (AGS Thm 4.1.2 (ii)); with v = pi and Talagrand's inequality KL >= lambda/2 W2^2 (Otto & Villani 2000) this gives
  // the rate. (The sharper (1 + g lambda)^-2 is exact in 1-D, but we know no proof for W2 in d >= 2: not declared.)
  bounds(params, problem) {
    let lambda = Infinity;
    for (const v of problem.caps.gaussianQuadratic!.a) lambda = Math.min(lambda, v);
    return [{ name: 'bound_w2sq', label: 'W2² bound (1 + 2gλ)^-k', of: 'w2sq', rate: 1 / (1 + 2 * params.step * lambda) }];
  },
});
