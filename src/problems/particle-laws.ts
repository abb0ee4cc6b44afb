// Setup fields shared by the particle problems (kl, mmd): target laws and initial particle clouds, their zod
// schemas, the semantic checks zod cannot express, and the initial cloud they describe.
import { z } from 'zod';
import { createTarget } from '../particles/targets';
import { particleMeasure, particlesFromPoints, type ParticleMeasure } from '../measures/particles';
import type { Rng } from '../random';
import { CovarianceSchema, covDimension } from './gaussian-kl/schema';
import { isSymmetricPositiveDefinite } from '../linalg/cholesky';
import type { SetupIssue } from '../setup/issues';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const vector = z.array(finite).min(1).max(10_000);
/** At most this many particles (or sample points) per run. */
export const MAX_PARTICLES = 1_000_000;

export const GaussianTargetSchema = z.strictObject({
  kind: z.literal('gaussian'),
  mean: vector.meta({ title: 'Mean', description: 'vector of length d' }),
  cov: CovarianceSchema,
}).meta({ title: 'Gaussian N(m, Sigma)' });

export const MixtureTargetSchema = z.strictObject({
  kind: z.literal('mixture'),
  weights: z.array(z.number().positive()).min(1).max(1000).meta({ title: 'Weights', description: 'positive, summing to 1' }),
  means: z.array(vector).min(1).max(1000).meta({ title: 'Means', description: 'one vector of length d per component' }),
  covs: z.array(CovarianceSchema).min(1).max(1000).meta({ title: 'Covariances', description: 'one d x d SPD matrix (or {"diag"}) per component' }),
}).meta({ title: 'Gaussian mixture', description: 'sum_k w_k N(m_k, S_k)' });

export const BananaTargetSchema = z.strictObject({
  kind: z.literal('banana'),
  a: finite.meta({ title: 'a', description: 'x2 is shifted by b (x1^2 - a^2)' }),
  b: finite.meta({ title: 'b', description: 'twist strength' }),
  scales: z.array(z.number().positive()).min(2).max(10_000).meta({ title: 'Scales', description: 'standard deviations of the untwisted Gaussian, one per coordinate (d >= 2)' }),
}).meta({ title: 'Banana (twisted Gaussian)', description: 'z ~ N(0, diag(scales^2)), x = z except x2 = z2 + b (z1^2 - a^2); exact density and sampler' });

export const TargetSchema = z.discriminatedUnion('kind', [GaussianTargetSchema, MixtureTargetSchema, BananaTargetSchema])
  .meta({ title: 'Target pi', description: 'pi proportional to exp(-V)' });
export type TargetLaw = z.infer<typeof TargetSchema>;

export const PointsSchema = z.array(vector).min(1).max(MAX_PARTICLES);

export const PointsInitSchema = z.strictObject({
  kind: z.literal('points'),
  points: PointsSchema.meta({ title: 'Points', description: 'one position per particle (uniform weights)' }),
}).meta({ title: 'Given points' });

export const GaussianInitSchema = z.strictObject({
  kind: z.literal('gaussian'),
  mean: vector.meta({ title: 'Mean' }),
  cov: CovarianceSchema,
  particles: z.int().positive().max(MAX_PARTICLES).meta({ title: 'Particles', description: 'sampled with the run\'s seed' }),
}).meta({ title: 'Gaussian sample' });

export const InitSchema = z.discriminatedUnion('kind', [GaussianInitSchema, PointsInitSchema]).meta({ title: 'Initial particles mu_0' });
export type InitLaw = z.infer<typeof InitSchema>;

export function targetDimension(t: TargetLaw): number {
  if (t.kind === 'gaussian') return t.mean.length;
  if (t.kind === 'mixture') return t.means[0]?.length ?? 0;
  return t.scales.length;
}

function checkCov(cov: z.infer<typeof CovarianceSchema>, d: number, path: string, issues: SetupIssue[]): void {
  const n = covDimension(cov);
  if (n !== d) {
    issues.push({ path, message: `is ${n} x ${n}, but the dimension is d = ${d}` });
    return;
  }
  if (Array.isArray(cov)) {
    const bad = cov.findIndex((row) => row.length !== d);
    if (bad >= 0) {
      issues.push({ path: `${path}[${bad}]`, message: `has ${cov[bad].length} entries, but must have ${d} (the matrix is d x d)` });
      return;
    }
    if (!isSymmetricPositiveDefinite(cov.flat(), d)) issues.push({ path, message: 'must be symmetric positive definite (symmetric, with all eigenvalues > 0)' });
  }
}

/** Dimensions that agree, SPD covariances, mixture weights summing to 1. */
export function checkTarget(t: TargetLaw, path: string): SetupIssue[] {
  const issues: SetupIssue[] = [];
  const d = targetDimension(t);
  if (t.kind === 'gaussian') checkCov(t.cov, d, `${path}.cov`, issues);
  if (t.kind === 'mixture') {
    const k = t.weights.length;
    if (t.means.length !== k) issues.push({ path: `${path}.means`, message: `has ${t.means.length} entries, but there are ${k} weights` });
    if (t.covs.length !== k) issues.push({ path: `${path}.covs`, message: `has ${t.covs.length} entries, but there are ${k} weights` });
    const sum = t.weights.reduce((s, w) => s + w, 0);
    if (Math.abs(sum - 1) > 1e-9) issues.push({ path: `${path}.weights`, message: `sum to ${Number(sum.toPrecision(12))}; they must sum to 1` });
    t.means.forEach((m, i) => m.length !== d && issues.push({ path: `${path}.means[${i}]`, message: `has length ${m.length}, but the dimension is d = ${d} (from means[0])` }));
    t.covs.forEach((c, i) => checkCov(c, d, `${path}.covs[${i}]`, issues));
  }
  return issues;
}

/** The initial cloud's dimension must be the target's. */
export function checkInit(init: InitLaw, d: number, path: string): SetupIssue[] {
  const issues: SetupIssue[] = [];
  if (init.kind === 'gaussian') {
    if (init.mean.length !== d) issues.push({ path: `${path}.mean`, message: `has length ${init.mean.length}, but the target's dimension is d = ${d}` });
    else checkCov(init.cov, d, `${path}.cov`, issues);
  } else {
    const bad = init.points.findIndex((p) => p.length !== d);
    if (bad >= 0) issues.push({ path: `${path}.points[${bad}]`, message: `has ${init.points[bad].length} coordinates, but the target's dimension is d = ${d}` });
  }
  return issues;
}

/** The initial cloud: the given points, or a sample of a Gaussian drawn with the run's seed. */
export function initialParticles(init: InitLaw, rng: Rng): ParticleMeasure {
  if (init.kind === 'points') return particlesFromPoints(init.points, 'problem.init.points');
  const law = createTarget({ kind: 'gaussian', mean: init.mean, cov: init.cov });
  return particleMeasure(law.sample(init.particles, rng), init.particles, law.dim);
}
