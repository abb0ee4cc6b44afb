// Problem `kl`: sampling from pi proportional to exp(-V) with particles, F(mu) = KL(mu | pi) = int V dmu - h(mu) + log Z.
// Targets: Gaussian, Gaussian mixture, banana (each with V, grad V, log Z and an exact sampler, src/particles/targets.ts).
import { z } from 'zod';
import { defineProblem, type MetricDef } from '../../engine/contract';
import { createTarget, type Target } from '../../particles/targets';
import { knnEntropy } from '../../particles/entropy';
import { weightedMean } from '../../measures/particles';
import { checkInit, checkTarget, initialParticles, InitSchema, targetDimension, TargetSchema } from '../particle-laws';
import { bw2sqToGaussian, METRIC, mmdToSample, W2_MAX_PARTICLES, w2sqToSample } from '../particle-metrics';

const METRIC_NAMES = ['objective', 'energy', 'entropy', 'kl', 'mmd2', 'w2sq', 'bw2sq'] as const;

export const KlProblemSchema = z.strictObject({
  kind: z.literal('kl'),
  target: TargetSchema,
  init: InitSchema,
  entropy_k: z.int().min(1).max(100).default(3).meta({ title: 'Entropy neighbours k', description: 'k-th nearest neighbour of the Kozachenko–Leonenko entropy estimate' }),
  mmd_bandwidth: z.number().positive().default(1).meta({ title: 'MMD kernel width s', description: 'for the mmd2 metric: k(x, y) = exp(-|x - y|^2 / (2 s^2))' }),
  metrics: z.array(z.enum(METRIC_NAMES)).min(1).optional()
    .meta({ title: 'Metrics', description: `which metrics to record (default all that apply): ${METRIC_NAMES.join(', ')}` }),
}).meta({ title: 'KL to a target (particles)', description: 'F(mu) = KL(mu | pi), pi proportional to exp(-V); mu is a cloud of particles' });
export type KlProblem = z.output<typeof KlProblemSchema>;

const NAMES: Record<(typeof METRIC_NAMES)[number], MetricDef> = {
  objective: { name: 'objective', label: 'F(μ) = KL(μ | π) estimate', log: true, cadence: 'sparse' },
  energy: METRIC.energy, entropy: METRIC.entropy, kl: METRIC.kl, mmd2: METRIC.mmd2,
  w2sq: { ...METRIC.w2sq, description: `exact OT to a fresh target sample of the same size; recorded for at most ${W2_MAX_PARTICLES} particles` },
  bw2sq: { ...METRIC.bw2sq, description: 'only for a Gaussian target' },
};

export const klProblem = defineProblem({
  kind: 'kl',
  schema: KlProblemSchema,
  measure: 'particles',
  capabilities: ['klPotential', 'energy'],
  cite: 'Sampling as KL minimization (Jordan, Kinderlehrer & Otto 1998; Wibisono 2018); entropy by Kozachenko & Leonenko 1987',
  check(p, path) {
    const issues = checkTarget(p.target, `${path}.target`);
    if (issues.length) return issues;
    return checkInit(p.init, targetDimension(p.target), `${path}.init`);
  },
  // Given points start the same for every seed (metric estimates still draw fresh target samples).
  deterministic: (p) => p.init.kind === 'points',
  create(p, ctx) {
    const target: Target = createTarget(p.target);
    const mu = initialParticles(p.init, ctx.rng);
    const { n, dim } = mu;
    const wanted = new Set<string>(p.metrics ?? METRIC_NAMES);
    if (!target.gaussian) wanted.delete('bw2sq');
    if (n > W2_MAX_PARTICLES) wanted.delete('w2sq');
    if (n <= p.entropy_k) ['entropy', 'kl', 'objective'].forEach((m) => wanted.delete(m));
    const defs = METRIC_NAMES.filter((m) => wanted.has(m)).map((m) => NAMES[m]);
    const sampleSize = Math.min(n, W2_MAX_PARTICLES);
    const mmd = wanted.has('mmd2') ? mmdToSample(target.sample(sampleSize, ctx.metricRng), sampleSize, dim, p.mmd_bandwidth) : null;
    const v = new Float64Array(n);
    const index = Object.fromEntries(defs.map((d, j) => [d.name, j])) as Record<string, number>;
    return {
      init: mu,
      caps: {
        klPotential: target,
        // KL(mu | pi) = E(mu) - h(mu) + log Z with E = int V dmu: the entropy weight is fixed at 1.
        energy: {
          value(cur) { target.potential(cur.x, cur.n, v); return weightedMean(cur, v); },
          gradFirstVariation(_cur, at, nAt, out) { target.gradPotential(at, nAt, out); },
          entropyWeight: 1,
        },
      },
      metrics: defs,
      evaluate(cur, _k, sparse, out) {
        out.fill(NaN, 0, defs.length);
        target.potential(cur.x, cur.n, v);
        const energy = weightedMean(cur, v);
        if ('energy' in index) out[index.energy] = energy;
        if (!sparse) return;
        if ('entropy' in index || 'kl' in index || 'objective' in index) {
          const h = knnEntropy(cur.x, cur.n, cur.dim, p.entropy_k);
          if ('entropy' in index) out[index.entropy] = h;
          const kl = energy + target.logZ - h;
          if ('kl' in index) out[index.kl] = kl;
          if ('objective' in index) out[index.objective] = kl;
        }
        if (mmd) out[index.mmd2] = mmd(cur);
        if ('w2sq' in index) out[index.w2sq] = w2sqToSample(cur, target.sample(cur.n, ctx.metricRng), cur.n);
        if ('bw2sq' in index) out[index.bw2sq] = bw2sqToGaussian(cur, target.gaussian!.mean, target.gaussian!.cov);
      },
    };
  },
});
