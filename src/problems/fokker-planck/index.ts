// Problem `fokker-planck` on a grid: F(rho) = int V rho + int rho log rho, V(x) = |x - b|^2 / 2, whose Wasserstein
// gradient flow d_t rho = div(rho grad V) + Delta rho (Jordan, Kinderlehrer & Otto 1998) keeps a Gaussian law
// Gaussian (Ornstein-Uhlenbeck): mean b + e^-t (m0 - b), covariance e^-2t S0 + (1 - e^-2t) I.
import { z } from 'zod';
import { defineProblem } from '../../engine/contract';
import { cellVolume } from '../../measures/grid';
import { separableProx } from '../../grid/prox';
import { ouLaw } from '../../grid/exact';
import { boxOf, checkGaussianInit, checkGrid, gaussianLawInstance, gaussianMeasureOnGrid, GaussianInitSchema, GridSchema, quadraticPotential } from '../grid-common';

export const FokkerPlanckSchema = z.strictObject({
  kind: z.literal('fokker-planck'),
  grid: GridSchema,
  centre: z.array(z.number()).min(1).max(3).meta({ title: 'Centre b of V', description: 'V(x) = |x - b|^2 / 2' }),
  init: GaussianInitSchema,
}).meta({ title: 'Fokker–Planck on a grid', description: 'F = int V rho + int rho log rho, V = |x - b|^2 / 2; the exact law is Ornstein–Uhlenbeck' });
export type FokkerPlanck = z.output<typeof FokkerPlanckSchema>;

export const fokkerPlanckProblem = defineProblem({
  kind: 'fokker-planck',
  schema: FokkerPlanckSchema,
  measure: 'grid',
  capabilities: ['klProx'],
  cite: 'Jordan, Kinderlehrer & Otto, SIAM J. Math. Anal. 1998 (Fokker-Planck as a W2 gradient flow); OU law in closed form',
  deterministic: () => true,
  check(p, path) {
    const g = checkGrid(p.grid, `${path}.grid`);
    if (g.length) return g;
    const d = p.grid.shape.length;
    if (p.centre.length !== d) return [{ path: `${path}.centre`, message: `needs ${d} entries (the grid has ${d} axes)` }];
    return checkGaussianInit(p.init, d, `${path}.init`);
  },
  create(p) {
    const box = boxOf(p.grid);
    const mu = gaussianMeasureOnGrid(box, p.init, 'problem.init');
    const V = quadraticPotential(box, p.centre);
    const prox = separableProx({ cellVolume: cellVolume(mu), potential: V, entropy: 1 });
    const S0 = p.init.cov.flat();
    return gaussianLawInstance(box, mu, prox, 'F(ρ) = ∫V ρ + ∫ρ (log ρ − 1)', (t) => ouLaw(p.init.mean, S0, p.centre, t));
  },
});
