// JKO steps min_p L(p) + T(p, p_k) / (2 tau) on grid masses with an exact (W2^2, network simplex) or sliced
// transport cost, solved by mirror descent with the transport potentials as gradients (Jordan, Kinderlehrer &
// Otto 1998, eq. (8); sliced: Bonneel, Rabin, Peyre & Pfister 2015). One file: the two schemes differ only in T.
import { z } from 'zod';
import { defineScheme, type MetricDef, type SchemeDef } from '../../engine/contract';
import type { GridMeasure } from '../../measures/grid';
import { cellCentres } from '../../measures/grid';
import { mirrorJko } from '../../grid/mirror';
import { pushForward } from '../../grid/pushforward';
import { slicedGradient, w2sqGradient } from '../../grid/transport';
import { stepField } from '../params';

const inner = {
  step: stepField.meta({ title: 'Time step tau', description: 'the JKO step' }),
  inner_step: z.number().positive().default(0.05).meta({ title: 'Inner step', description: 'initial mirror-descent step (adapted by backtracking)' }),
  inner_iterations: z.int().min(1).max(100000).default(100).meta({ title: 'Inner iteration cap' }),
  inner_tol: z.number().positive().default(1e-7).meta({ title: 'Inner tolerance', description: 'on the relative decrease of the step objective per iteration' }),
};
export const JkoEmdSchema = z.strictObject({ kind: z.literal('jko-emd'), ...inner })
  .meta({ title: 'JKO with exact transport', description: 'min L(p) + W2^2(p, p_k) / (2 tau), W2 by exact OT on the grid' });
export const JkoSlicedSchema = z.strictObject({
  kind: z.literal('jko-sliced'), ...inner,
  projections: z.int().min(1).max(10000).default(50).meta({ title: 'Projections' }),
  seed: z.int().min(0).default(0).meta({ title: 'Projection seed', description: 'the same directions at every step' }),
}).meta({ title: 'JKO with sliced transport', description: 'min L(p) + SW2^2(p, p_k) / (2 tau)' });

const METRICS: MetricDef[] = [
  { name: 'inner_iterations', label: 'mirror-descent iterations per step', log: false, cadence: 'step' },
  { name: 'inner_residual', label: 'inner residual (relative decrease)', log: true, cadence: 'step' },
  { name: 'inner_capped', label: 'inner cap hit (1 = yes)', log: false, cadence: 'step' },
];

function transportStepper(params: { step: number; inner_step: number; inner_iterations: number; inner_tol: number }, grad: (p: Float64Array, out: Float64Array) => number,
  cost: (p: Float64Array, q: Float64Array, out: Float64Array) => number, name: string) {
  let last = { iterations: 0, residual: 0, capped: false };
  let eta = params.inner_step;
  const capped: number[] = [];
  return {
    metrics: METRICS,
    step(mu: GridMeasure, k: number) {
      const pk = Float64Array.from(mu.masses);
      // warm start: the explicit Wasserstein step of L (W2^2(., p_k) has a kink at p_k, where mirror descent stalls)
      const g = new Float64Array(pk.length), moved = new Float64Array(mu.size);
      grad(pk, g);
      for (let c = 0; c < mu.channels; c++) {
        pushForward(mu.shape, mu.spacing, pk.subarray(c * mu.size, (c + 1) * mu.size), g.subarray(c * mu.size, (c + 1) * mu.size), params.step, moved);
        mu.masses.set(moved, c * mu.size);
      }
      const r = mirrorJko(mu.masses, pk, mu.channels, mu.channelMass, grad, cost, { tau: params.step, step: eta, maxIter: params.inner_iterations, tol: params.inner_tol });
      eta = Math.max(r.step, 1e-12);
      last = { iterations: r.iterations, residual: r.residual, capped: !(r.residual < params.inner_tol) };
      if (last.capped) capped.push(k + 1);
      mu.t += params.step;
    },
    evaluate(_mu: GridMeasure, k: number, _sparse: boolean, out: Float64Array) {
      out[0] = k === 0 ? 0 : last.iterations;
      out[1] = k === 0 ? 0 : last.residual;
      out[2] = k === 0 || !last.capped ? 0 : 1;
    },
    warning() {
      return capped.length ? `${name}: the inner solver stopped above its tolerance ${params.inner_tol} at ${capped.length} step(s) (first at k = ${capped[0]})` : undefined;
    },
  };
}

export const jkoEmdGrid = defineScheme({
  kind: 'jko-emd',
  schema: JkoEmdSchema,
  measure: 'grid',
  requires: ['massGradient'],
  cite: 'Jordan, Kinderlehrer & Otto 1998, eq. (8), with exact OT potentials as the gradient of W2^2',
  deterministic: true,
  create(params, problem, mu0) {
    const x = cellCentres(mu0), dim = mu0.shape.length;
    return transportStepper(params, problem.caps.massGradient!.gradient, (p, q, out) => w2sqGradient(x, dim, p, q, out), 'jko-emd');
  },
}) satisfies SchemeDef<'grid', z.output<typeof JkoEmdSchema>>;

export const jkoSlicedGrid = defineScheme({
  kind: 'jko-sliced',
  schema: JkoSlicedSchema,
  measure: 'grid',
  requires: ['massGradient'],
  cite: 'Bonneel, Rabin, Peyre & Pfister, J. Math. Imaging Vis. 2015 (sliced W2); JKO 1998 eq. (8)',
  deterministic: true,
  create(params, problem, mu0) {
    const x = cellCentres(mu0), dim = mu0.shape.length;
    return transportStepper(params, problem.caps.massGradient!.gradient, (p, q, out) => slicedGradient(x, dim, p, q, params.projections, params.seed, out), 'jko-sliced');
  },
});
