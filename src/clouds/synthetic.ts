// The two synthetic clouds shipped with the distribution-matching preset, generated from a fixed seed (not the run's)
// so that they are the same on every machine: a source blob N(0, I_d) and a target made of three anisotropic
// Gaussian clusters (Bonet et al., NeurIPS 2024, Sec. 6.3 match point clouds in moderate dimension; these stand in
// for their data). Target cluster k: mean 3 e_k (the k-th basis vector, k = 1..3) + (1, ..., 1)/2, covariance
// diag(geomspace(0.02, 1, d)) rotated by one fixed random orthogonal matrix; equal weights.
import { createRng } from '../random';
import { randomOrthogonal } from '../linalg/orthogonal';

export interface SyntheticClouds {
  readonly source: number[][];
  readonly target: number[][];
}

const round = (v: number): number => Number(v.toPrecision(6));

export function syntheticMatchingClouds(d: number, n: number, m: number, seed = 2024): SyntheticClouds {
  if (!(d >= 3)) throw new RangeError('syntheticMatchingClouds: d must be >= 3');
  const rng = createRng(seed);
  const source = Array.from({ length: n }, () => Array.from({ length: d }, () => round(rng.normal())));
  const Q = randomOrthogonal(d, rng);
  const sd = Array.from({ length: d }, (_, c) => Math.sqrt(0.02 * Math.pow(50, d === 1 ? 0 : c / (d - 1))));
  const target = Array.from({ length: m }, (_, i) => {
    const k = i % 3;
    const z = sd.map((s) => s * rng.normal());
    return Array.from({ length: d }, (_, r) => {
      let v = 0.5 + (r === k ? 3 : 0);
      for (let c = 0; c < d; c++) v += Q[r * d + c] * z[c];
      return round(v);
    });
  });
  return { source, target };
}
