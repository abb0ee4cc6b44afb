// Problem `crowd-motion` on a grid: F(rho) = int V rho + eps int rho log rho + indicator(rho <= kappa), a crowd
// walking down V(x) = |x - b|^2 / 2 under a congestion cap (Maury, Roudneff-Chupin & Santambrogio, M3AS 2010;
// entropic JKO in Peyre, SIAM J. Imaging Sci. 2015 §5.3).
import { z } from 'zod';
import { defineProblem, type MetricDef } from '../../engine/contract';
import { cellVolume, gridMeasure } from '../../measures/grid';
import { separableProx } from '../../grid/prox';
import { gaussianDensity } from '../../grid/exact';
import { boxOf, BoxInitSchema, checkGaussianInit, checkGrid, GaussianInitSchema, GRID_METRIC, GridSchema, indexOf, massError, massesOf, quadraticPotential } from '../grid-common';

export const CrowdMotionSchema = z.strictObject({
  kind: z.literal('crowd-motion'),
  grid: GridSchema,
  target: z.array(z.number()).min(1).max(3).meta({ title: 'Exit b', description: 'V(x) = |x - b|^2 / 2' }),
  cap: z.number().positive().meta({ title: 'Congestion cap kappa', description: 'rho <= kappa' }),
  entropy: z.number().min(0).default(0).meta({ title: 'Entropy weight eps', description: 'eps int rho log rho (0 = none)' }),
  init: z.discriminatedUnion('kind', [GaussianInitSchema, BoxInitSchema]),
}).meta({ title: 'Crowd motion with congestion', description: 'F = int V rho + eps int rho log rho, subject to rho <= kappa' });
export type CrowdMotion = z.output<typeof CrowdMotionSchema>;

export const crowdMotionProblem = defineProblem({
  kind: 'crowd-motion',
  schema: CrowdMotionSchema,
  measure: 'grid',
  capabilities: ['klProx'],
  cite: 'Maury, Roudneff-Chupin & Santambrogio, M3AS 2010; Peyre, SIAM J. Imaging Sci. 2015 §5.3',
  deterministic: () => true,
  check(p, path) {
    const g = checkGrid(p.grid, `${path}.grid`);
    if (g.length) return g;
    const d = p.grid.shape.length;
    if (p.target.length !== d) return [{ path: `${path}.target`, message: `needs ${d} entries` }];
    const vol = p.grid.lo.reduce((s, l, i) => s * (p.grid.hi[i] - l), 1);
    if (p.cap * vol < 1.05) return [{ path: `${path}.cap`, message: `kappa x box volume = ${p.cap * vol}; must be >= 1.05 for mass 1 to fit` }];
    if (p.init.kind === 'gaussian') return checkGaussianInit(p.init, d, `${path}.init`);
    if (p.init.lo.length !== d || p.init.hi.length !== d) return [{ path: `${path}.init`, message: `lo and hi need ${d} entries` }];
    return [];
  },
  create(p) {
    const box = boxOf(p.grid);
    const init = p.init;
    const rho = init.kind === 'gaussian' ? gaussianDensity(init.mean, init.cov.flat())
      : (x: Float64Array) => (init.lo.every((l, i) => x[i] >= l && x[i] <= init.hi[i]) ? 1 : 0);
    const masses = massesOf(box, rho, 'problem.init', 2);
    const mu = gridMeasure(box, masses);
    const h = cellVolume(mu);
    let mx = 0;
    for (const v of masses) mx = Math.max(mx, v / h);
    if (mx > p.cap * (1 + 1e-9)) throw new RangeError(`problem.init: the initial density reaches ${mx.toPrecision(4)} > cap ${p.cap}`);
    const V = quadraticPotential(box, p.target);
    const prox = separableProx({ cellVolume: h, potential: V, entropy: p.entropy, cap: p.cap });
    const defs: MetricDef[] = [
      { name: 'objective', label: 'F(ρ) = ∫V ρ (+ ε ∫ρ log ρ)', log: false, cadence: 'step' },
      GRID_METRIC.mass_error,
      { name: 'density_over_cap', label: 'max ρ / κ', log: false, cadence: 'step', description: '<= 1 up to the inner tolerance' },
    ];
    const index = indexOf(defs);
    return {
      init: mu,
      caps: { klProx: prox },
      metrics: defs,
      evaluate(cur, _k, _sparse, out) {
        out[index.objective] = prox.value(cur.masses);
        out[index.mass_error] = massError(cur);
        let m = 0;
        for (const v of cur.masses) m = Math.max(m, v / h);
        out[index.density_over_cap] = m / p.cap;
      },
    };
  },
});
