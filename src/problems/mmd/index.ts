// Problem `mmd`: F(mu) = 1/2 MMD_k^2(mu, pi) against a sample of pi, Gaussian kernel k(x, y) = exp(-|x - y|^2 / (2 s^2))
// (Arbel, Korba, Salim & Gretton, "Maximum Mean Discrepancy Gradient Flow", NeurIPS 2019). The first variation is
// the witness function w(z) = int k(z, x) dmu(x) - int k(z, y) dpi(y), whose gradient the schemes use.
import { z } from 'zod';
import { defineProblem, type MetricDef } from '../../engine/contract';
import { createTarget } from '../../particles/targets';
import { mmdWitnessGrad } from '../../particles/kernels';
import { particlesFromPoints } from '../../measures/particles';
import { checkInit, checkTarget, initialParticles, InitSchema, MAX_PARTICLES, PointsSchema, targetDimension, TargetSchema } from '../particle-laws';
import { METRIC, mmdToSample, W2_MAX_PARTICLES, w2sqToSample } from '../particle-metrics';

const PointsTargetSchema = z.strictObject({
  kind: z.literal('points'),
  points: PointsSchema.meta({ title: 'Points', description: 'the target sample itself' }),
}).meta({ title: 'Given points' });

export const MmdProblemSchema = z.strictObject({
  kind: z.literal('mmd'),
  target: z.discriminatedUnion('kind', [...TargetSchema.options, PointsTargetSchema]).meta({ title: 'Target pi', description: 'a law sampled once with the run\'s seed, or given points' }),
  init: InitSchema,
  s: z.number().positive().refine(Number.isFinite, { message: 'must be a finite number' }).meta({ title: 'Kernel width s', description: 'k(x, y) = exp(-|x - y|^2 / (2 s^2))' }),
  sample_size: z.int().positive().max(MAX_PARTICLES).default(500).meta({ title: 'Target sample size', description: 'points drawn from pi once per run (ignored for given points)' }),
}).meta({ title: 'MMD to a target sample (particles)', description: 'F(mu) = 1/2 MMD^2(mu, pi), Gaussian kernel of width s' });

const DEFS: MetricDef[] = [
  { name: 'objective', label: 'F(μ) = ½ MMD²(μ, π)', log: true, cadence: 'step' },
  { ...METRIC.mmd2, label: 'MMD²(μ, π)', cadence: 'step' },
];

export const mmdProblem = defineProblem({
  kind: 'mmd',
  schema: MmdProblemSchema,
  measure: 'particles',
  capabilities: ['firstVariation', 'energy'],
  cite: 'Arbel, Korba, Salim & Gretton, Maximum Mean Discrepancy Gradient Flow, NeurIPS 2019',
  check(p, path) {
    if (p.target.kind === 'points') {
      const d = p.target.points[0].length;
      const bad = p.target.points.findIndex((x) => x.length !== d);
      if (bad >= 0) return [{ path: `${path}.target.points[${bad}]`, message: `has ${p.target.points[bad].length} coordinates, but the first point has ${d}` }];
      return checkInit(p.init, d, `${path}.init`);
    }
    const issues = checkTarget(p.target, `${path}.target`);
    return issues.length ? issues : checkInit(p.init, targetDimension(p.target), `${path}.init`);
  },
  deterministic: (p) => p.init.kind === 'points' && p.target.kind === 'points',
  create(p, ctx) {
    const sample = p.target.kind === 'points' ? particlesFromPoints(p.target.points, 'problem.target.points') : null;
    const y = sample ? sample.x : createTarget(p.target as Exclude<typeof p.target, { kind: 'points' }>).sample(p.sample_size, ctx.rng);
    const m = sample ? sample.n : p.sample_size;
    const mu = initialParticles(p.init, ctx.rng);
    const d = mu.dim;
    const mmd = mmdToSample(y, m, d, p.s);
    const w2 = mu.n <= W2_MAX_PARTICLES && m <= W2_MAX_PARTICLES;
    const defs = w2 ? [...DEFS, { ...METRIC.w2sq, label: 'W2² to the π sample (exact OT)' }] : DEFS;
    return {
      init: mu,
      caps: {
        firstVariation: {
          gradFirstVariation(cur, at, nAt, out) {
            mmdWitnessGrad(at, nAt, cur.x, cur.n, y, m, d, p.s, out);
          },
        },
        energy: {
          value: (cur) => mmd(cur) / 2,
          gradFirstVariation(cur, at, nAt, out) {
            mmdWitnessGrad(at, nAt, cur.x, cur.n, y, m, d, p.s, out);
          },
        },
      },
      metrics: defs,
      evaluate(cur, _k, sparse, out) {
        const v = mmd(cur);
        out[0] = v / 2;
        out[1] = v;
        if (w2) out[2] = sparse ? w2sqToSample(cur, y, m) : NaN;
      },
    };
  },
});
