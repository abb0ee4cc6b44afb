// Shared by the grid problems (fokker-planck, heat, porous-medium, crowd-motion): the grid and initial-density
// fields, their checks, and the metrics against an exact law integrated over the cells.
import { z } from 'zod';
import type { MetricDef, ProblemInstance } from '../engine/contract';
import type { SeparableProx } from '../grid/prox';
import type { SetupIssue } from '../setup/issues';
import { cellCentres, gridMeasure, type GridBox, type GridMeasure } from '../measures/grid';
import { barenblatt, gaussianDensity, gridMoments, integrateCells } from '../grid/exact';
import { exactOt1d } from '../ot/index';

const nums = (title: string) => z.array(z.number().refine(Number.isFinite, { message: 'must be a finite number' })).min(1).max(3).meta({ title });

export const GridSchema = z.strictObject({
  shape: z.array(z.int().min(2).max(2048)).min(1).max(3).meta({ title: 'Cells per axis', description: '1 to 3 axes, e.g. [200] or [40, 40]' }),
  lo: nums('Box lower corner'),
  hi: nums('Box upper corner'),
}).meta({ title: 'Grid', description: 'a regular grid of cells on the box [lo, hi]' });
export type GridParams = z.output<typeof GridSchema>;

export const GaussianInitSchema = z.strictObject({
  kind: z.literal('gaussian'),
  mean: z.array(z.number()).min(1).max(3),
  cov: z.array(z.array(z.number())).min(1).max(3).meta({ title: 'Covariance', description: 'd x d, positive definite' }),
}).meta({ title: 'Gaussian density', description: 'N(mean, cov) integrated over the cells' });
export const BarenblattInitSchema = z.strictObject({
  kind: z.literal('barenblatt'),
  m: z.number().gt(1).meta({ title: 'Exponent m' }),
  t0: z.number().positive().default(0.05).meta({ title: 'Start time t0', description: 'the profile at time t0 (mass 1)' }),
  centre: z.array(z.number()).min(1).max(3).optional(),
}).meta({ title: 'Barenblatt profile', description: 'the exact porous-medium solution of d_t u = Delta u^m at t0' });
export const BoxInitSchema = z.strictObject({
  kind: z.literal('box'),
  lo: z.array(z.number()).min(1).max(3),
  hi: z.array(z.number()).min(1).max(3),
}).meta({ title: 'Uniform on a box' });
export type GaussianInit = z.output<typeof GaussianInitSchema>;
export type BarenblattInit = z.output<typeof BarenblattInitSchema>;

export function checkGrid(g: GridParams, path: string): SetupIssue[] {
  const d = g.shape.length;
  const issues: SetupIssue[] = [];
  if (g.lo.length !== d) issues.push({ path: `${path}.lo`, message: `needs ${d} entries (one per axis of shape)` });
  if (g.hi.length !== d) issues.push({ path: `${path}.hi`, message: `needs ${d} entries (one per axis of shape)` });
  if (issues.length) return issues;
  g.lo.forEach((l, i) => { if (!(g.hi[i] > l)) issues.push({ path: `${path}.hi[${i}]`, message: `must be > lo[${i}] = ${l}` }); });
  const cells = g.shape.reduce((p, s) => p * s, 1);
  if (cells > 4_000_000) issues.push({ path: `${path}.shape`, message: `${cells} cells; at most 4000000 allowed` });
  return issues;
}

export function checkGaussianInit(init: GaussianInit, d: number, path: string): SetupIssue[] {
  if (init.mean.length !== d) return [{ path: `${path}.mean`, message: `needs ${d} entries (the grid has ${d} axes)` }];
  if (init.cov.length !== d || init.cov.some((r) => r.length !== d)) return [{ path: `${path}.cov`, message: `must be ${d} x ${d}` }];
  const c = init.cov.flat();
  const sym = init.cov.every((r, i) => r.every((v, j) => Math.abs(v - init.cov[j][i]) <= 1e-12 * (1 + Math.abs(v))));
  const pd = d === 1 ? c[0] > 0 : d === 2 ? c[0] > 0 && c[0] * c[3] - c[1] * c[2] > 0 : c[0] > 0 && c[0] * c[4] - c[1] * c[3] > 0 && det3(c) > 0;
  return sym && pd ? [] : [{ path: `${path}.cov`, message: 'must be symmetric positive definite' }];
}
const det3 = (a: number[]) => a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);

export const boxOf = (g: GridParams): GridBox => ({ shape: g.shape, lo: g.lo, hi: g.hi });

/** Cell masses of a density, normalised to total mass 1 (the part outside the box is dropped); error if ~0. */
export function massesOf(box: GridBox, rho: (x: Float64Array) => number, path: string, sub = 1): Float64Array {
  const size = box.shape.reduce((p, s) => p * s, 1);
  const p = integrateCells(box, rho, new Float64Array(size), sub);
  let s = 0;
  for (let i = 0; i < size; i++) s += p[i];
  if (!(s > 1e-12)) throw new RangeError(`${path}: the initial density has no mass on the grid`);
  for (let i = 0; i < size; i++) p[i] /= s;
  return p;
}

export function gaussianMeasureOnGrid(box: GridBox, init: GaussianInit, path: string): GridMeasure {
  return gridMeasure(box, massesOf(box, gaussianDensity(init.mean, init.cov.flat()), path));
}

export function barenblattCentre(init: BarenblattInit, box: GridBox): number[] {
  return init.centre ?? box.lo.map((l, i) => (l + box.hi[i]) / 2);
}

export function barenblattMasses(box: GridBox, init: BarenblattInit, t: number, path: string): Float64Array {
  const B = barenblatt(init.m, box.shape.length, barenblattCentre(init, box));
  return massesOf(box, (x) => B.density(x, t), path, box.shape.length === 1 ? 8 : 3);
}

export const GRID_METRIC = {
  mass_error: { name: 'mass_error', label: '|mass − mass₀| (largest channel)', log: true, cadence: 'step', description: 'conserved to round-off by the schemes' },
  w2sq_exact: { name: 'w2sq_exact', label: 'W₂² to the exact law', log: true, cadence: 'sparse', description: '1-D: exact OT on the cell centres; 2-D: between the Gaussian fits of the grid masses and of the exact cell masses' },
  l1_exact: { name: 'l1_exact', label: 'L¹ error to the exact law', log: true, cadence: 'sparse', description: 'sum over cells |p − p_exact|, p_exact the exact solution at t = k tau integrated over the cells' },
  mean_error: { name: 'mean_error', label: '|mean − exact mean|', log: true, cadence: 'sparse', description: 'against the cell moments of the exact law' },
  var_error: { name: 'var_error', label: 'max |cov − exact cov|', log: true, cadence: 'sparse', description: 'largest entry, against the cell moments of the exact law' },
} as const satisfies Record<string, MetricDef>;

export function massError(mu: GridMeasure): number {
  let worst = 0;
  for (let c = 0; c < mu.channels; c++) {
    let s = 0;
    for (let i = 0; i < mu.size; i++) s += mu.masses[c * mu.size + i];
    worst = Math.max(worst, Math.abs(s - mu.channelMass[c]));
  }
  return worst;
}

/** W2^2 between grid masses p and q: exact on the line, Gaussian fits (Bures) in 2-D, NaN in 3-D. */
export function gridW2sq(box: GridBox, p: Float64Array, q: Float64Array, centres1d: Float64Array | null): number {
  const d = box.shape.length;
  if (d === 1) {
    const sp = p.reduce((s, v) => s + v, 0), sq = q.reduce((s, v) => s + v, 0);
    return exactOt1d(centres1d!, centres1d!, p.map((v) => v / sp), q.map((v) => v / sq)).value;
  }
  if (d !== 2) return NaN;
  const a = gridMoments(box, p), b = gridMoments(box, q);
  const S1 = a.cov, S2 = b.cov;
  const tr12 = S1[0] * S2[0] + S1[1] * S2[2] + S1[2] * S2[1] + S1[3] * S2[3];
  const det1 = S1[0] * S1[3] - S1[1] * S1[2], det2 = S2[0] * S2[3] - S2[1] * S2[2];
  const trSqrt = Math.sqrt(Math.max(0, tr12 + 2 * Math.sqrt(Math.max(0, det1 * det2))));
  const dm = (a.mean[0] - b.mean[0]) ** 2 + (a.mean[1] - b.mean[1]) ** 2;
  return Math.max(0, dm + S1[0] + S1[3] + S2[0] + S2[3] - 2 * trSqrt);
}

/** Writes l1_exact, w2sq_exact, mean_error, var_error of p against exact cell masses q (those present in `index`). */
export function exactMetrics(box: GridBox, p: Float64Array, q: Float64Array, index: Record<string, number>, out: Float64Array, centres1d: Float64Array | null): void {
  if ('l1_exact' in index) {
    let l1 = 0;
    for (let i = 0; i < p.length; i++) l1 += Math.abs(p[i] - q[i]);
    out[index.l1_exact] = l1;
  }
  if ('w2sq_exact' in index) out[index.w2sq_exact] = gridW2sq(box, p, q, centres1d);
  if ('mean_error' in index || 'var_error' in index) {
    const a = gridMoments(box, p), b = gridMoments(box, q);
    if ('mean_error' in index) out[index.mean_error] = Math.sqrt(a.mean.reduce((s, v, i) => s + (v - b.mean[i]) ** 2, 0));
    if ('var_error' in index) out[index.var_error] = a.cov.reduce((s, v, i) => Math.max(s, Math.abs(v - b.cov[i])), 0);
  }
}

export const centres1dOf = (box: GridBox): Float64Array | null => (box.shape.length === 1 ? cellCentres(box) : null);
export const indexOf = (defs: readonly MetricDef[]): Record<string, number> => Object.fromEntries(defs.map((d, j) => [d.name, j]));

/**
 * The instance of a grid problem solved through the KL prox of its objective: the objective and mass error at every
 * step, and (sparse) the errors `exactDefs` against the exact masses at t = k tau when `exactAt` gives them.
 */
export function klProxInstance(box: GridBox, mu: GridMeasure, prox: SeparableProx, objectiveLabel: string,
  exactDefs: readonly MetricDef[], exactAt: ((t: number) => Float64Array) | null): ProblemInstance<'grid'> {
  const defs: MetricDef[] = [{ name: 'objective', label: objectiveLabel, log: false, cadence: 'step' }, GRID_METRIC.mass_error, ...(exactAt ? exactDefs : [])];
  const index = indexOf(defs);
  const c1 = centres1dOf(box);
  return {
    init: mu,
    caps: { klProx: prox },
    metrics: defs,
    evaluate(cur, _k, sparse, out) {
      out.fill(NaN, 0, defs.length);
      out[index.objective] = prox.value(cur.masses);
      out[index.mass_error] = massError(cur);
      if (sparse && exactAt) exactMetrics(box, cur.masses, exactAt(cur.t), index, out, c1);
    },
  };
}

/** klProxInstance for a flow that keeps a Gaussian law Gaussian (Fokker–Planck, heat); `lawAt(t)` gives its mean and flattened covariance. */
export function gaussianLawInstance(box: GridBox, mu: GridMeasure, prox: SeparableProx, objectiveLabel: string,
  lawAt: (t: number) => { mean: readonly number[]; cov: readonly number[] }): ProblemInstance<'grid'> {
  const exactDefs = [GRID_METRIC.l1_exact, ...(box.shape.length <= 2 ? [GRID_METRIC.w2sq_exact] : []), GRID_METRIC.mean_error, GRID_METRIC.var_error];
  return klProxInstance(box, mu, prox, objectiveLabel, exactDefs, (t) => {
    const law = lawAt(t);
    return massesOf(box, gaussianDensity(law.mean, law.cov), 'exact law');
  });
}

/** V(x) = |x - centre|^2 / 2 at the cell centres of a grid. */
export function quadraticPotential(box: GridBox, centre: readonly number[]): Float64Array {
  const d = box.shape.length;
  const x = cellCentres(box);
  const n = x.length / d;
  const V = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < d; a++) s += (x[i * d + a] - centre[a]) ** 2;
    V[i] = s / 2;
  }
  return V;
}
