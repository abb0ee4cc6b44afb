// Differential entropy of a sample by the Kozachenko-Leonenko k-nearest-neighbour estimator (Kozachenko & Leonenko
// 1987; Kraskov, Stoegbauer & Grassberger 2004, eq. 20): H = psi(N) - psi(k) + log V_d + (d/N) sum_i log r_{k,i},
// Euclidean distances, V_d the volume of the unit ball, in nats.
import { buildKdTree } from './kdtree';

/** The digamma function psi = Gamma'/Gamma: recurrence to x >= 6, then the asymptotic series (A&S 6.3.18). */
export function digamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) {
    if (Number.isInteger(x)) return NaN;
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x); // reflection (A&S 6.3.7)
  }
  let r = 0;
  while (x < 10) { r -= 1 / x; x += 1; }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132 - f * (691 / 32760 - f / 12))))));
}

/** log of the volume of the Euclidean unit ball in R^d, pi^{d/2} / Gamma(d/2 + 1). */
export function logUnitBallVolume(d: number): number {
  // log Gamma(d/2 + 1) exactly by the recurrence from Gamma(1) = 1 or Gamma(3/2) = sqrt(pi)/2
  let t = d % 2 === 0 ? 1 : 1.5, lg = d % 2 === 0 ? 0 : Math.log(Math.sqrt(Math.PI) / 2);
  while (t < d / 2 + 1) { lg += Math.log(t); t += 1; }
  return (d / 2) * Math.log(Math.PI) - lg;
}

/**
 * Kozachenko-Leonenko entropy of the n points x (row-major n x d), k-th neighbour excluding the point itself, in
 * nats. Duplicate points: a point whose k-th neighbour distance is 0 (it has k or more copies) is skipped, and the
 * estimate is taken over the remaining N' points (psi(N') and d/N'); if every point is skipped the sample is
 * atomic and the result is -Infinity. Throws a RangeError when n <= k or a coordinate is not finite.
 * O(n log n) per query on average (k-d tree).
 */
export function knnEntropy(x: Float64Array, n: number, d: number, k = 3): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`entropy: k must be a positive integer, got ${k}`);
  if (!(n > k)) throw new RangeError(`entropy: need more than k = ${k} points, got n = ${n}`);
  for (let i = 0; i < n * d; i++) {
    if (!Number.isFinite(x[i])) throw new RangeError(`entropy: coordinate ${i % d} of point ${Math.floor(i / d)} is ${x[i]}, must be finite`);
  }
  const tree = buildKdTree(x, n, d, 24);
  const sq = new Float64Array(k), idx = new Int32Array(k), pts = tree.points;
  let sumLog = 0, used = 0;
  for (let p = 0; p < n; p++) {
    tree.kNearest(pts, p * d, k, tree.index[p], sq, idx); // queries in tree order: neighbouring paths, warm caches
    const r2 = sq[k - 1];
    if (r2 > 0) { sumLog += 0.5 * Math.log(r2); used++; }
  }
  if (used === 0) return -Infinity;
  return digamma(used) - digamma(k) + logUnitBallVolume(d) + (d / used) * sumLog;
}
