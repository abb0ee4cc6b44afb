// The Metropolis-adjusted Langevin algorithm (Roberts & Tweedie, Bernoulli 1996): the ULA proposal, accepted with the Metropolis-Hastings ratio.
import { z } from 'zod';
import { defineScheme } from '../../engine/contract';
import { stepField } from '../params';

export const malaParticles = defineScheme({
  kind: 'mala',
  schema: z.strictObject({ kind: z.literal('mala'), step: stepField })
    .meta({ title: 'MALA (Metropolis-adjusted Langevin)', description: 'ULA proposal y = x - g grad V(x) + sqrt(2g) xi, accepted with probability min(1, pi(y) q(x|y) / (pi(x) q(y|x))); metric acceptance' }),
  measure: 'particles',
  requires: ['klPotential'],
  cite: 'Roberts & Tweedie, Exponential convergence of Langevin distributions and their discrete approximations, Bernoulli 1996',
  deterministic: false,
  create(params, problem, mu0, rng) {
    const V = problem.caps.klPotential!;
    const g = params.step;
    const { n, dim: d } = mu0;
    const noise = Math.sqrt(2 * g);
    const gx = new Float64Array(n * d);
    const gy = new Float64Array(n * d);
    const y = new Float64Array(n * d);
    const vx = new Float64Array(n);
    const vy = new Float64Array(n);
    let acceptance = NaN;
    return {
      metrics: [{ name: 'acceptance', label: 'MALA acceptance rate', log: false, cadence: 'step', description: 'fraction of particles whose proposal was accepted at this step (NaN-free: 1 at k = 0)' }],
      evaluate(_mu, k, _sparse, out) {
        out[0] = k === 0 ? 1 : acceptance;
      },
      step(mu) {
        const x = mu.x;
        V.potential(x, n, vx);
        V.gradPotential(x, n, gx);
        for (let j = 0; j < n * d; j++) y[j] = x[j] - g * gx[j] + noise * rng.normal();
        V.potential(y, n, vy);
        V.gradPotential(y, n, gy);
        let accepted = 0;
        for (let i = 0; i < n; i++) {
          // log q(b | a) = -|b - a + g grad V(a)|^2 / (4g) + const
          let fwd = 0;
          let bwd = 0;
          for (let c = i * d; c < (i + 1) * d; c++) {
            const f = y[c] - x[c] + g * gx[c];
            const b = x[c] - y[c] + g * gy[c];
            fwd += f * f;
            bwd += b * b;
          }
          const logRatio = vx[i] - vy[i] + (fwd - bwd) / (4 * g);
          if (logRatio >= 0 || Math.log(rng.uniform()) < logRatio) {
            for (let c = i * d; c < (i + 1) * d; c++) x[c] = y[c];
            accepted++;
          }
        }
        acceptance = accepted / n;
      },
    };
  },
});
