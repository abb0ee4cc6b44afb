// Problem `heat` on a grid: F(rho) = D int rho log rho, whose Wasserstein gradient flow is d_t rho = D Delta rho
// (Jordan, Kinderlehrer & Otto 1998); from N(m0, S0) the law is N(m0, S0 + 2 D t I).
import { z } from 'zod';
import { defineProblem } from '../../engine/contract';
import { cellVolume } from '../../measures/grid';
import { separableProx } from '../../grid/prox';
import { heatLaw } from '../../grid/exact';
import { boxOf, checkGaussianInit, checkGrid, gaussianLawInstance, gaussianMeasureOnGrid, GaussianInitSchema, GridSchema } from '../grid-common';

export const HeatSchema = z.strictObject({
  kind: z.literal('heat'),
  grid: GridSchema,
  diffusion: z.number().positive().default(1).meta({ title: 'Diffusion D' }),
  init: GaussianInitSchema,
}).meta({ title: 'Heat flow on a grid', description: 'F = D int rho log rho; the exact law is N(m0, S0 + 2 D t I)' });
export type Heat = z.output<typeof HeatSchema>;

export const heatProblem = defineProblem({
  kind: 'heat',
  schema: HeatSchema,
  measure: 'grid',
  capabilities: ['klProx'],
  cite: 'Jordan, Kinderlehrer & Otto, SIAM J. Math. Anal. 1998 (heat flow as the W2 gradient flow of the entropy)',
  deterministic: () => true,
  check(p, path) {
    const g = checkGrid(p.grid, `${path}.grid`);
    return g.length ? g : checkGaussianInit(p.init, p.grid.shape.length, `${path}.init`);
  },
  create(p) {
    const box = boxOf(p.grid);
    const mu = gaussianMeasureOnGrid(box, p.init, 'problem.init');
    const prox = separableProx({ cellVolume: cellVolume(mu), entropy: p.diffusion });
    const S0 = p.init.cov.flat();
    return gaussianLawInstance(box, mu, prox, 'F(ρ) = D ∫ρ (log ρ − 1)', (t) => heatLaw(p.init.mean, S0, t, p.diffusion));
  },
});
