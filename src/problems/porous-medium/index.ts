// Problem `porous-medium` on a grid: F(rho) = int e_m(rho), e_m(r) = r (r^(m-1) - m) / (m - 1), whose Wasserstein
// gradient flow is d_t u = Delta u^m (Otto, Comm. PDE 2001); from a Barenblatt profile the solution is Barenblatt.
import { z } from 'zod';
import { defineProblem } from '../../engine/contract';
import { cellVolume, gridMeasure } from '../../measures/grid';
import { separableProx } from '../../grid/prox';
import { barenblattMasses, BarenblattInitSchema, boxOf, checkGaussianInit, checkGrid, gaussianMeasureOnGrid, GaussianInitSchema, GRID_METRIC, GridSchema, klProxInstance } from '../grid-common';

export const PorousMediumSchema = z.strictObject({
  kind: z.literal('porous-medium'),
  grid: GridSchema,
  m: z.number().gt(1).max(10).meta({ title: 'Exponent m', description: 'd_t u = Delta u^m, m > 1' }),
  init: z.discriminatedUnion('kind', [BarenblattInitSchema, GaussianInitSchema]),
}).meta({ title: 'Porous medium on a grid', description: 'F = int e_m(rho); from a Barenblatt profile (same m) the exact solution is Barenblatt' });
export type PorousMedium = z.output<typeof PorousMediumSchema>;

export const porousMediumProblem = defineProblem({
  kind: 'porous-medium',
  schema: PorousMediumSchema,
  measure: 'grid',
  capabilities: ['klProx'],
  cite: 'Otto, Comm. PDE 2001 (porous medium as a W2 gradient flow); Barenblatt 1952; Peyre, SIAM J. Imaging Sci. 2015 §5',
  deterministic: () => true,
  check(p, path) {
    const g = checkGrid(p.grid, `${path}.grid`);
    if (g.length) return g;
    const d = p.grid.shape.length;
    if (p.init.kind === 'gaussian') return checkGaussianInit(p.init, d, `${path}.init`);
    if (p.init.m !== p.m) return [{ path: `${path}.init.m`, message: `must equal problem m = ${p.m} (the Barenblatt profile of this equation)` }];
    if (p.init.centre && p.init.centre.length !== d) return [{ path: `${path}.init.centre`, message: `needs ${d} entries` }];
    return [];
  },
  create(p) {
    const box = boxOf(p.grid);
    const init = p.init;
    const mu = init.kind === 'gaussian' ? gaussianMeasureOnGrid(box, init, 'problem.init') : gridMeasure(box, barenblattMasses(box, init, init.t0, 'problem.init'));
    const prox = separableProx({ cellVolume: cellVolume(mu), porous: { weight: 1, m: p.m } });
    const exactDefs = [GRID_METRIC.l1_exact, ...(box.shape.length === 1 ? [GRID_METRIC.w2sq_exact] : [])];
    return klProxInstance(box, mu, prox, 'F(ρ) = ∫ e_m(ρ)', exactDefs,
      init.kind === 'barenblatt' ? (t) => barenblattMasses(box, init, init.t0 + t, 'exact law') : null);
  },
});
