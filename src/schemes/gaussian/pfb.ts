// Preconditioned forward-backward on Gaussians, exact (Bonet, Uscidda, David, Aubin-Frankowski & Korba, NeurIPS 2024,
// Sec. 6.2, "PFB": phi = int V dmu, preconditioner P = Sigma): a forward step on V preconditioned by P, then the JKO
// step of the entropy in the geometry of the cost (x - y)^T P^-1 (x - y) / 2.
import { z } from 'zod';
import { defineScheme } from '../../engine/contract';
import { applySpectralInto, entropyProxRoot, guardedDenseUpdate } from '../../measures/gaussian';
import { stepField } from '../params';

// Forward: b <- b - g P A (b - m), S_half = M S M with M = I - g P A. Backward: S' with T = I - g P S'^-1 pushing
// N(., S') to N(., S_half): S' - 2g P + g^2 P S'^-1 P = S_half. With S' = P^1/2 X P^1/2 this is the entropy root of
// P^-1/2 S_half P^-1/2 (the fb equation with P = I); when P and S_half commute it is the paper's
// S' = (S_half + 2gP + (S_half (S_half + 4gP))^1/2) / 2. P is restricted to matrices diagonal in the eigenbasis of
// Sigma (the working basis): Sigma itself ("target-cov", the paper's choice) or the identity (= the scheme `fb`).
export const pfbGaussian = defineScheme({
  kind: 'pfb',
  schema: z.strictObject({
    kind: z.literal('pfb'),
    step: stepField,
    preconditioner: z.enum(['target-cov', 'identity']).default('target-cov')
      .meta({ title: 'Preconditioner P', description: '"target-cov": P = Sigma (the paper); "identity": P = I (the same as fb)' }),
  }).meta({ title: 'Preconditioned forward-backward (Gaussians)', description: 'forward step on V preconditioned by P = Sigma, then the entropy JKO step in the P geometry (Bonet et al. 2024)' }),
  measure: 'gaussian',
  requires: ['gaussianQuadratic'],
  cite: 'Bonet, Uscidda, David, Aubin-Frankowski & Korba, Mirror and Preconditioned GD in Wasserstein Space, NeurIPS 2024, Sec. 6.2 (PFB)',
  deterministic: true,
  create(params, problem) {
    const t = problem.caps.gaussianQuadratic!;
    const g = params.step;
    const { d, a, m } = t;
    const p = params.preconditioner === 'identity' ? new Float64Array(d).fill(1) : Float64Array.from(t.sig);
    const r = p.map((pi, i) => 1 - g * pi * a[i]);
    const sp = p.map(Math.sqrt);
    const root = (c: number) => entropyProxRoot(c, g);
    return {
      step(mu) {
        for (let i = 0; i < d; i++) mu.mean[i] -= g * p[i] * a[i] * (mu.mean[i] - m[i]);
        if (mu.diag) {
          for (let i = 0; i < d; i++) mu.diag[i] = p[i] * root((r[i] * r[i] * mu.diag[i]) / p[i]);
          return;
        }
        guardedDenseUpdate(mu, (S) => {
          const c = mu.tmp;
          for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * d + j] = (S[i * d + j] * r[i] * r[j]) / (sp[i] * sp[j]);
          applySpectralInto(S, c, d, root, sp);
        });
      },
    };
  },
});
