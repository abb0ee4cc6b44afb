// Problem `matching`: F(mu) = D(mu, nu) against a target point cloud nu, D the sliced W2^2 (fresh random directions
// at each gradient), the Sinkhorn divergence S_eps or the energy distance, optionally on a fresh minibatch of nu at
// each gradient (Bonet, Uscidda, David, Aubin-Frankowski & Korba, NeurIPS 2024, Sec. 6.3, distribution matching).
// Gradients in src/clouds/divergences.ts; objective values from the OT toolbox (src/ot) against the whole target.
import { z } from 'zod';
import { defineProblem, type MetricDef } from '../../engine/contract';
import { sinkhornDivergence, sinkhornPoints, slicedWasserstein, energyDistance } from '../../ot/index';
import { addEntropicTransformGrad, energyDistanceGrad, randomDirections, slicedValueAndGrad, slicedWork } from '../../clouds/divergences';
import { particlesFromPoints } from '../../measures/particles';
import { checkInit, initialParticles, InitSchema, PointsSchema } from '../particle-laws';
import { METRIC, W2_MAX_PARTICLES, w2sqToSample } from '../particle-metrics';

const DivergenceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('sliced'),
    projections: z.int().min(1).max(10_000).default(50).meta({ title: 'Projections', description: 'random directions per gradient, drawn fresh at every step' }),
  }).meta({ title: 'Sliced W2²', description: 'mean over random directions of W2^2 of the 1-D projections' }),
  z.strictObject({
    kind: z.literal('sinkhorn'),
    eps: z.number().positive().refine(Number.isFinite, { message: 'must be a finite number' }).meta({ title: 'eps', description: 'entropic regularization, in units of the cost |x - y|^2' }),
  }).meta({ title: 'Sinkhorn divergence S_eps', description: 'OT_eps(mu, nu) - (OT_eps(mu, mu) + OT_eps(nu, nu)) / 2, cost |x - y|^2' }),
  z.strictObject({ kind: z.literal('energy') }).meta({ title: 'Energy distance', description: '2 E|X - Y| - E|X - X\'| - E|Y - Y\'|' }),
]).meta({ title: 'Discrepancy D' });

export const MatchingProblemSchema = z.strictObject({
  kind: z.literal('matching'),
  target: z.strictObject({
    kind: z.literal('points'),
    points: PointsSchema.meta({ title: 'Points', description: 'the target cloud nu (e.g. imported from CSV)' }),
  }).meta({ title: 'Target cloud nu' }),
  init: InitSchema,
  divergence: DivergenceSchema,
  minibatch: z.int().positive().nullable().default(null).meta({ title: 'Minibatch', description: 'gradient against this many target points drawn afresh at each step (null: the whole target)' }),
}).meta({ title: 'Distribution matching (point clouds)', description: 'F(mu) = D(mu, nu): sliced W2^2, Sinkhorn divergence or energy distance to a target cloud' });
export type MatchingProblem = z.infer<typeof MatchingProblemSchema>;

/** Directions used for the sliced objective metric (fixed, so that the curve is comparable across steps). */
const METRIC_PROJECTIONS = 200;
const METRIC_SEED = 12345;
/** Sinkhorn marginal tolerance for the gradient and the objective (relative accuracy far below the step's effect). */
const SINKHORN_TOL = 1e-6;

export const matchingProblem = defineProblem({
  kind: 'matching',
  schema: MatchingProblemSchema,
  measure: 'particles',
  capabilities: ['firstVariation'],
  cite: 'Bonet, Uscidda, David, Aubin-Frankowski & Korba, Mirror and Preconditioned GD in Wasserstein Space, NeurIPS 2024, Sec. 6.3',
  check(p, path) {
    const pts = p.target.points;
    const d = pts[0].length;
    const bad = pts.findIndex((x) => x.length !== d);
    if (bad >= 0) return [{ path: `${path}.target.points[${bad}]`, message: `has ${pts[bad].length} coordinates, but the first point has ${d}` }];
    if (p.minibatch !== null && p.minibatch > pts.length) return [{ path: `${path}.minibatch`, message: `is ${p.minibatch}, but the target has only ${pts.length} points` }];
    return checkInit(p.init, d, `${path}.init`);
  },
  create(p, ctx) {
    const target = particlesFromPoints(p.target.points, 'problem.target.points');
    const y = target.x;
    const m = target.n;
    const mu = initialParticles(p.init, ctx.rng);
    const { n, dim: d } = mu;
    const rng = ctx.rng;
    const div = p.divergence;
    const b = p.minibatch ?? m;
    const batch = p.minibatch === null ? y : new Float64Array(b * d);
    const perm = p.minibatch === null ? null : Uint32Array.from({ length: m }, (_, i) => i);
    const theta = div.kind === 'sliced' ? new Float64Array(div.projections * d) : null;
    const work = div.kind === 'sliced' ? slicedWork(n, b) : null;
    let sinkhornError = 0;
    const drawBatch = (): Float64Array => {
      if (!perm) return y;
      for (let i = 0; i < b; i++) {
        const j = i + Math.floor(rng.uniform() * (m - i));
        const t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        batch.set(y.subarray(perm[i] * d, (perm[i] + 1) * d), i * d);
      }
      return batch;
    };
    const w2 = n <= W2_MAX_PARTICLES && m <= W2_MAX_PARTICLES;
    const defs: MetricDef[] = [{ name: 'objective', label: `F(μ) = ${div.kind === 'sliced' ? 'SW2²' : div.kind === 'sinkhorn' ? 'S_ε' : 'energy distance'}(μ, ν)`, log: true, cadence: 'step', description: div.kind === 'sliced' ? `${METRIC_PROJECTIONS} fixed directions, the whole target` : 'against the whole target' }];
    if (div.kind === 'sinkhorn') defs.push({ name: 'sinkhorn_error', label: 'Sinkhorn marginal error (gradient)', log: true, cadence: 'step', description: 'largest final marginal error of the Sinkhorn solves behind the last gradient' });
    if (w2) defs.push({ ...METRIC.w2sq, label: 'W2²(μ, ν) (exact OT)' });
    const cloud = (x: Float64Array, k: number) => ({ n: k, dim: d, data: x });
    return {
      init: mu,
      caps: {
        firstVariation: {
          gradFirstVariation(cur, at, nAt, out) {
            const yb = drawBatch();
            if (div.kind === 'sliced') {
              if (at !== cur.x) throw new RangeError('problem.divergence: the sliced W2 gradient is evaluated at the particles only (use sinkhorn or energy for schemes that need it elsewhere)');
              randomDirections(div.projections, d, () => rng.normal(), theta!);
              slicedValueAndGrad(cur.x, cur.n, yb, b, d, theta!, div.projections, out, work!);
            } else if (div.kind === 'sinkhorn') {
              // OT(nu, nu) does not depend on mu: two solves
              const opts = { reg: div.eps, tol: SINKHORN_TOL };
              const ab = sinkhornPoints(cloud(cur.x, cur.n), cloud(yb, b), null, null, opts);
              const aa = sinkhornPoints(cloud(cur.x, cur.n), cloud(cur.x, cur.n), null, null, opts);
              sinkhornError = Math.max(ab.colError, ab.rowError, aa.colError, aa.rowError);
              out.fill(0, 0, nAt * d);
              addEntropicTransformGrad(at, nAt, yb, b, d, ab.g, div.eps, 1, out);
              addEntropicTransformGrad(at, nAt, cur.x, cur.n, d, aa.g, div.eps, -1, out);
            } else energyDistanceGrad(cur.x, cur.n, yb, b, d, at, nAt, out);
          },
        },
      },
      metrics: defs,
      evaluate(cur, k, sparse, out) {
        const cx = cloud(cur.x, cur.n);
        const cy = cloud(y, m);
        if (div.kind === 'sliced') out[0] = slicedWasserstein(cx, cy, null, null, { projections: METRIC_PROJECTIONS, seed: METRIC_SEED }).value;
        else if (div.kind === 'sinkhorn') out[0] = sinkhornDivergence(cx, cy, null, null, { reg: div.eps, tol: SINKHORN_TOL }).value;
        else out[0] = energyDistance(cx, cy, null, null);
        let j = 1;
        if (div.kind === 'sinkhorn') out[j++] = k === 0 ? 0 : sinkhornError;
        if (w2) out[j] = sparse ? w2sqToSample(cur, y, m) : NaN;
      },
    };
  },
});
