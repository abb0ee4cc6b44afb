// Metric estimates on particle clouds shared by the particle problems: exact W2^2 to a target sample, the
// Bures–Wasserstein distance of the particles' Gaussian fit, MMD^2 to a fixed sample.
import { exactOtPoints } from '../ot/exact';
import { buresW2sq } from '../ot/gaussian';
import { particleCov, particleMean } from '../particles/moments';
import { mmd2Gaussian, mmd2SelfTerm } from '../particles/kernels';
import type { ParticleMeasure } from '../measures/particles';
import type { MetricDef } from '../engine/contract';

/** Exact OT above this many particles costs too much to run as a metric; w2sq is then not recorded (said in its description). */
export const W2_MAX_PARTICLES = 5000;

/** W2^2 between the particles (uniform or given weights) and a sample (uniform weights), exact (network simplex / assignment). */
export function w2sqToSample(mu: ParticleMeasure, y: Float64Array, m: number): number {
  const r = exactOtPoints({ n: mu.n, dim: mu.dim, data: mu.x }, { n: m, dim: mu.dim, data: y }, mu.w ?? undefined, undefined);
  return r.converged ? r.value : NaN;
}

/** Bures–Wasserstein W2^2 between N(mean, cov) of the particles (cov normalized by 1/N) and a Gaussian. */
export function bw2sqToGaussian(mu: ParticleMeasure, mean: Float64Array, cov: Float64Array): number {
  return buresW2sq(particleMean(mu.x, mu.n, mu.dim), particleCov(mu.x, mu.n, mu.dim), mean, cov, mu.dim);
}

/** MMD^2 (biased V-statistic, Gaussian kernel of width s) to a fixed sample whose self term is computed once. */
export function mmdToSample(y: Float64Array, m: number, d: number, s: number): (mu: ParticleMeasure) => number {
  const yy = mmd2SelfTerm(y, m, d, s);
  return (mu) => mmd2Gaussian(mu.x, mu.n, y, m, d, s, yy);
}

export const METRIC = {
  energy: { name: 'energy', label: 'energy ∫V dμ', log: false, cadence: 'step' },
  entropy: { name: 'entropy', label: 'entropy h(μ) (Kozachenko–Leonenko)', log: false, cadence: 'sparse' },
  kl: { name: 'kl', label: 'KL(μ | π) estimate', log: true, cadence: 'sparse' },
  mmd2: { name: 'mmd2', label: 'MMD² to a π sample', log: true, cadence: 'sparse' },
  w2sq: { name: 'w2sq', label: 'W2² to a fresh π sample (exact OT)', log: true, cadence: 'sparse' },
  bw2sq: { name: 'bw2sq', label: 'W2² of the Gaussian fit to π (Bures)', log: true, cadence: 'sparse' },
} as const satisfies Record<string, MetricDef>;
