// Plain gradient flow of L in the masses: projected gradient descent on each channel's simplex,
// p_c <- Proj_{simplex(m_c)}(p_c - g h grad_c L(p)), h the cell volume: the L2 (flat) gradient flow of the density
// rho = p / h, d_t rho = -dL/drho, whose time matches the Wasserstein schemes' t = k tau (Held, Wolfe & Crowder 1974; Duchi et al. 2008 for the projection).
import { z } from 'zod';
import { defineScheme } from '../../engine/contract';
import { projectSimplex } from '../../grid/simplex';
import { stepField } from '../params';

export const GdMassesSchema = z.strictObject({ kind: z.literal('gd-masses'), step: stepField })
  .meta({ title: 'Gradient descent on the masses', description: 'projected gradient descent of L on each channel\'s simplex (the flat, non-Wasserstein gradient flow)' });

export const gdMassesGrid = defineScheme({
  kind: 'gd-masses',
  schema: GdMassesSchema,
  measure: 'grid',
  requires: ['massGradient'],
  cite: 'Projected gradient descent on the simplex (Duchi, Shalev-Shwartz, Singer & Chandra, ICML 2008)',
  deterministic: true,
  create(params, problem, mu0) {
    const L = problem.caps.massGradient!;
    const n = mu0.masses.length, N = mu0.size;
    const g = new Float64Array(n), v = new Float64Array(N), o = new Float64Array(N);
    const h = mu0.spacing.reduce((a, b) => a * b, 1);
    return {
      step(mu) {
        L.gradient(mu.masses, g);
        for (let c = 0; c < mu.channels; c++) {
          for (let i = 0; i < N; i++) v[i] = mu.masses[c * N + i] - params.step * h * g[c * N + i];
          projectSimplex(v, mu.channelMass[c], o);
          mu.masses.set(o, c * N);
        }
        mu.t += params.step;
      },
    };
  },
});
