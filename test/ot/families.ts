// Seeded instance families for the OT benchmark matrix (test/bench/ot.ts) and the correctness tests at small n:
// clouds that are not uniform in a square (where simplex pivot counts used to explode), ties, skewed weights.
import { createRng } from '../../src/random';

export type Family = 'square' | 'gauss' | 'clusters' | 'gauss10' | 'grid';

export interface Instance {
  readonly family: Family;
  readonly n: number;
  readonly m: number;
  readonly d: number;
  /** Row-major n x d and m x d. */
  readonly x: Float64Array;
  readonly y: Float64Array;
}

export const FAMILY_LABEL: Record<Family, string> = {
  square: 'uniform square',
  gauss: 'x ~ N(0, I), y ~ 1.2 N(0, I) + 0.8',
  clusters: '5-cluster Gaussian mixture',
  gauss10: 'Gaussians in d = 10 (as gauss)',
  grid: 'integer grid 20 x 20 (ties, duplicates)',
};

/** x (n points) and y (m points) of one family; the same (family, n, m, seed) always gives the same clouds. */
export function makeInstance(family: Family, n: number, m: number = n, seed = 1): Instance {
  const rng = createRng(seed * 7919 + n * 31 + m);
  const d = family === 'gauss10' ? 10 : 2;
  const x = new Float64Array(n * d), y = new Float64Array(m * d);
  switch (family) {
    case 'square':
      for (let k = 0; k < x.length; k++) x[k] = rng.uniform();
      for (let k = 0; k < y.length; k++) y[k] = rng.uniform();
      break;
    case 'gauss':
    case 'gauss10':
      for (let k = 0; k < x.length; k++) x[k] = rng.normal();
      for (let k = 0; k < y.length; k++) y[k] = 1.2 * rng.normal() + 0.8;
      break;
    case 'clusters': {
      // Both measures sample one mixture of 5 unit Gaussians with centres spread over [-6, 6]^2.
      const centres = Array.from({ length: 5 }, () => [12 * rng.uniform() - 6, 12 * rng.uniform() - 6]);
      const sample = (out: Float64Array, count: number): void => {
        for (let i = 0; i < count; i++) {
          const c = centres[Math.min(4, Math.floor(5 * rng.uniform()))];
          out[2 * i] = c[0] + rng.normal();
          out[2 * i + 1] = c[1] + rng.normal();
        }
      };
      sample(x, n);
      sample(y, m);
      break;
    }
    case 'grid':
      for (let k = 0; k < x.length; k++) x[k] = Math.floor(20 * rng.uniform());
      for (let k = 0; k < y.length; k++) y[k] = Math.floor(20 * rng.uniform());
      break;
  }
  return { family, n, m, d, x, y };
}

/** Dirichlet(alpha = 1) weights (normalized exponentials), optionally with exact zeros at the given indices. */
export function dirichletWeights(seed: number, n: number, zeros: readonly number[] = []): Float64Array {
  const rng = createRng(seed);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = -Math.log(1 - rng.uniform());
  for (const z of zeros) w[z] = 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += w[i];
  for (let i = 0; i < n; i++) w[i] /= s;
  return w;
}

/** The same points as nested lists (for the validating entry points). */
export function toLists(p: Float64Array, d: number): number[][] {
  return Array.from({ length: p.length / d }, (_, i) => Array.from(p.subarray(i * d, i * d + d)));
}
