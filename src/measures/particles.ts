// The particle measure mu = sum_i w_i delta_{x_i}: n positions in R^dim (row-major n x dim), uniform weights
// unless given. Schemes move the positions in place.
import type { Snapshot } from '../engine/types';

export interface ParticleMeasure {
  readonly kind: 'particles';
  readonly n: number;
  readonly dim: number;
  /** Positions, row-major n x dim; schemes update them in place. */
  readonly x: Float64Array;
  /** Weights summing to 1, or null for uniform weights 1/n. */
  readonly w: Float64Array | null;
}

export function particleMeasure(x: Float64Array, n: number, dim: number, w: Float64Array | null = null): ParticleMeasure {
  if (!(n >= 1) || !(dim >= 1) || x.length !== n * dim) throw new RangeError(`particles: ${x.length} coordinates do not make ${n} points in dimension ${dim}`);
  if (w && w.length !== n) throw new RangeError(`particles: ${w.length} weights for ${n} points`);
  return { kind: 'particles', n, dim, x, w };
}

/** Positions from a list of points (uniform weights); every point must have the same length. */
export function particlesFromPoints(points: readonly (readonly number[])[], path = 'points'): ParticleMeasure {
  const n = points.length;
  const dim = n ? points[0].length : 0;
  const x = new Float64Array(n * dim);
  points.forEach((p, i) => {
    if (p.length !== dim) throw new RangeError(`${path}[${i}]: has ${p.length} coordinates, but the first point has ${dim}`);
    x.set(p, i * dim);
  });
  return particleMeasure(x, n, dim);
}

/** Mean of V over the measure (the potential energy), given V at every particle. */
export function weightedMean(mu: ParticleMeasure, values: Float64Array): number {
  let s = 0;
  if (mu.w) for (let i = 0; i < mu.n; i++) s += mu.w[i] * values[i];
  else {
    for (let i = 0; i < mu.n; i++) s += values[i];
    s /= mu.n;
  }
  return s;
}

export function particleSnapshot(mu: ParticleMeasure, k: number): Snapshot {
  return { kind: 'particles', iteration: k, dim: mu.dim, positions: Float64Array.from(mu.x), weights: mu.w ? Float64Array.from(mu.w) : null };
}
