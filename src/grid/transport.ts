// Gradients of transport costs in the masses of a grid measure, for JKO steps solved by first-order methods:
// W2^2(p, q) is convex and piecewise linear in p, and an optimal dual potential f (sum p f + sum q g = W2^2,
// f_i + g_j <= |x_i - y_j|^2) is a (super)gradient in p (Santambrogio, OT for Applied Mathematicians, Prop. 7.17).
// Exact: the network-simplex potentials of src/ot (extended to zero-mass cells by the c-transform). Sliced:
// the average over directions of the 1-D potentials of the projected measures (Bonneel et al. 2015).
import { exactOtPoints, exactOt1d } from '../ot/index';
import { createRng } from '../random';

/** W2^2(p, q) for masses on the same points (x: N x dim) with equal totals; out = f (gradient in p). */
export function w2sqGradient(x: Float64Array, dim: number, p: Float64Array, q: Float64Array, out: Float64Array): number {
  const N = p.length;
  const cloud = { n: N, dim, data: x };
  const r = exactOtPoints(cloud, cloud, p, q, { method: 'network-simplex' });
  // The c-transform of g over q's support defines f on every cell (zero-mass ones too).
  const g = r.g;
  for (let i = 0; i < N; i++) {
    let best = Infinity;
    for (let j = 0; j < N; j++) {
      if (!(q[j] > 0)) continue;
      let c = 0;
      for (let a = 0; a < dim; a++) { const t = x[i * dim + a] - x[j * dim + a]; c += t * t; }
      const v = c - g[j];
      if (v < best) best = v;
    }
    out[i] = best;
  }
  return r.value;
}

/** 1-D potentials: f on every point of u (weights p), against weights q on the same points; returns W2^2. */
function potentials1d(u: Float64Array, p: Float64Array, q: Float64Array, f: Float64Array, g: Float64Array): number {
  const r = exactOt1d(u, u, p, q);
  const N = u.length;
  const hasF = new Uint8Array(N), hasG = new Uint8Array(N);
  // The monotone plan is a staircase: walking it in transport order fixes f and g by complementary slackness.
  for (let k = 0; k < r.rows.length; k++) {
    const i = r.rows[k], j = r.cols[k], c = (u[i] - u[j]) ** 2;
    if (k === 0) { f[i] = 0; hasF[i] = 1; }
    if (hasF[i] && !hasG[j]) { g[j] = c - f[i]; hasG[j] = 1; } else if (hasG[j] && !hasF[i]) { f[i] = c - g[j]; hasF[i] = 1; }
  }
  // c-transform over q's support for the other points (O(N * support); supports are small grids).
  for (let i = 0; i < N; i++) {
    if (hasF[i]) continue;
    let best = Infinity;
    for (let j = 0; j < N; j++) if (hasG[j]) { const v = (u[i] - u[j]) ** 2 - g[j]; if (v < best) best = v; }
    f[i] = best;
  }
  return r.value;
}

/** SW2^2(p, q) = mean over `projections` random directions of W2^2 of the projections; out = its gradient in p. */
export function slicedGradient(x: Float64Array, dim: number, p: Float64Array, q: Float64Array, projections: number, seed: number, out: Float64Array): number {
  const N = p.length;
  const rng = createRng(seed);
  const u = new Float64Array(N), f = new Float64Array(N), g = new Float64Array(N), th = new Float64Array(dim);
  out.fill(0);
  let value = 0;
  for (let l = 0; l < projections; l++) {
    let nn = 0;
    for (let a = 0; a < dim; a++) { th[a] = rng.normal(); nn += th[a] * th[a]; }
    nn = Math.sqrt(nn);
    for (let i = 0; i < N; i++) { let s = 0; for (let a = 0; a < dim; a++) s += th[a] * x[i * dim + a]; u[i] = s / nn; }
    value += potentials1d(u, p, q, f, g);
    for (let i = 0; i < N; i++) out[i] += f[i];
  }
  for (let i = 0; i < N; i++) out[i] /= projections;
  return value / projections;
}
