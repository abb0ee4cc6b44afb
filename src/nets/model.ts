// Two-layer networks as measures over their neurons. A neuron theta = (c, v) in R^{1+q} has an outer weight c and
// inner weights v in R^q acting on the input x~ = x (q = p) or x~ = [x; 1] (q = p + 1, a bias input); the network is
// f(x) = sum_i w_i c_i phi(v_i . x~) with particle weights w_i (1/m for uniform weights): the mean-field model of
// Zhu (eq. 1: theta = (a, w), no bias) and the 2-homogeneous ReLU model of Chizat & Bach 2018 (u = (b, a), bias).
// Risk R(mu) = (1/n) sum_j (f(x_j) - y_j)^2; its first variation is dR/dmu (theta) = (2/n) sum_j r_j c phi(v . x~_j)
// with residuals r_j = f(x_j) - y_j, and the schemes use its gradient in theta (= m dR/dtheta_i at a particle).
import { fastTanh, type Activation } from './activation';

/** A data set: n inputs in R^p (row-major n x p) and their labels. */
export interface NetData {
  readonly n: number;
  readonly p: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

export interface NetArchitecture {
  readonly activation: Activation;
  /** Whether the input is augmented by a constant 1 (q = p + 1). */
  readonly bias: boolean;
}

/** Dimension of one neuron, 1 + q. */
export const neuronDim = (arch: NetArchitecture, p: number): number => 1 + p + (arch.bias ? 1 : 0);

/** The inputs column by column (p x n), cached per data set: the inner loops then run over samples contiguously. */
const COLUMNS = new WeakMap<NetData, Float64Array>();
function columns(data: NetData): Float64Array {
  let xt = COLUMNS.get(data);
  if (!xt) {
    const { n, p, x } = data;
    xt = new Float64Array(n * p);
    for (let j = 0; j < n; j++) for (let c = 0; c < p; c++) xt[c * n + j] = x[j * p + c];
    COLUMNS.set(data, xt);
  }
  return xt;
}

/** t[to + j] = phi(v . x~_j) for the neuron at theta[o ..], every sample j (a fused loop for p = 2). */
function activations(arch: NetArchitecture, theta: Float64Array, o: number, xt: Float64Array, n: number, p: number, t: Float64Array, to: number): void {
  const b = arch.bias ? theta[o + 1 + p] : 0;
  const tanh = arch.activation === 'tanh';
  if (p === 2) {
    const v0 = theta[o + 1], v1 = theta[o + 2];
    if (tanh) for (let j = 0; j < n; j++) t[to + j] = fastTanh(b + v0 * xt[j] + v1 * xt[n + j]);
    else for (let j = 0; j < n; j++) { const z = b + v0 * xt[j] + v1 * xt[n + j]; t[to + j] = 0.5 * (z + Math.abs(z)); } // relu, branch-free; NaN stays NaN
    return;
  }
  t.fill(b, to, to + n);
  for (let c = 0; c < p; c++) {
    const v = theta[o + 1 + c], xo = c * n;
    for (let j = 0; j < n; j++) t[to + j] += v * xt[xo + j];
  }
  if (tanh) for (let j = to; j < to + n; j++) t[j] = fastTanh(t[j]);
  else for (let j = to; j < to + n; j++) t[j] = 0.5 * (t[j] + Math.abs(t[j]));
}

/**
 * grad dR/dmu at one neuron theta[o ..] given its activations t[to ..] and the residuals r, into out[o ..]:
 * (2/n) sum_j r_j (phi, c phi' x~_j).
 */
function neuronGradient(arch: NetArchitecture, theta: Float64Array, o: number, xt: Float64Array, n: number, p: number, t: Float64Array, to: number, r: Float64Array, out: Float64Array): void {
  const s = 2 / n;
  const sc = s * theta[o];
  const tanh = arch.activation === 'tanh';
  if (p === 2) {
    // one pass: phi' = 1 - t^2 (tanh) or 1[t > 0] = sign(t) (relu, branch-free)
    let g0 = 0, g1 = 0, g2 = 0, gb = 0;
    if (tanh) {
      for (let j = 0; j < n; j++) {
        const v = t[to + j], rj = r[j], d = rj * (1 - v * v);
        g0 += rj * v; g1 += d * xt[j]; g2 += d * xt[n + j]; gb += d;
      }
    } else {
      for (let j = 0; j < n; j++) {
        const v = t[to + j], rj = r[j], d = rj * Math.sign(v);
        g0 += rj * v; g1 += d * xt[j]; g2 += d * xt[n + j]; gb += d;
      }
    }
    out[o] = s * g0;
    out[o + 1] = sc * g1;
    out[o + 2] = sc * g2;
    if (arch.bias) out[o + 3] = sc * gb;
    return;
  }
  let g0 = 0;
  for (let j = 0; j < n; j++) g0 += r[j] * t[to + j];
  out[o] = s * g0;
  let gb = 0;
  for (let c = 0; c < p; c++) {
    const xo = c * n;
    let gc = 0;
    if (tanh) for (let j = 0; j < n; j++) { const v = t[to + j]; gc += r[j] * (1 - v * v) * xt[xo + j]; }
    else for (let j = 0; j < n; j++) gc += r[j] * Math.sign(t[to + j]) * xt[xo + j];
    out[o + 1 + c] = sc * gc;
  }
  if (arch.bias) {
    if (tanh) for (let j = 0; j < n; j++) { const v = t[to + j]; gb += r[j] * (1 - v * v); }
    else for (let j = 0; j < n; j++) gb += r[j] * Math.sign(t[to + j]);
    out[o + 1 + p] = sc * gb;
  }
}

/** f(x_j) for every sample of `data`, for m neurons (row-major m x dim) with weights w (null = 1/m). */
export function predict(arch: NetArchitecture, theta: Float64Array, m: number, w: Float64Array | null, data: NetData, out: Float64Array): void {
  const { n, p } = data;
  const xt = columns(data);
  const dim = neuronDim(arch, p);
  const t = new Float64Array(n);
  out.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    const o = i * dim;
    const ci = theta[o] * (w ? w[i] : 1 / m);
    activations(arch, theta, o, xt, n, p, t, 0);
    for (let j = 0; j < n; j++) out[j] += ci * t[j];
  }
}

/** R = (1/n) sum_j (f(x_j) - y_j)^2; writes the residuals f(x_j) - y_j into r when given. */
export function risk(arch: NetArchitecture, theta: Float64Array, m: number, w: Float64Array | null, data: NetData, r: Float64Array = new Float64Array(data.n)): number {
  predict(arch, theta, m, w, data, r);
  let s = 0;
  for (let j = 0; j < data.n; j++) {
    r[j] -= data.y[j];
    s += r[j] * r[j];
  }
  return s / data.n;
}

/** grad_theta dR/dmu at nAt points `at` (row-major nAt x dim), given the residuals r of the current network. */
export function gradFirstVariationAt(arch: NetArchitecture, r: Float64Array, data: NetData, at: Float64Array, nAt: number, out: Float64Array): void {
  const { n, p } = data;
  const xt = columns(data);
  const dim = neuronDim(arch, p);
  const t = new Float64Array(n);
  for (let i = 0; i < nAt; i++) {
    activations(arch, at, i * dim, xt, n, p, t, 0);
    neuronGradient(arch, at, i * dim, xt, n, p, t, 0, r, out);
  }
}

/** Largest m x n for which `gradAtParticles` stores the activations (32 MiB); above it they are recomputed. */
export const STORED_ACTIVATIONS_LIMIT = 1 << 22;

/**
 * The risk and grad dR/dmu at the m particles themselves, with one activation per (neuron, sample) pair: the forward
 * pass stores phi(v_i . x~_j) and the backward pass reuses it. `work` (length m n, or null to recompute) is scratch.
 */
export function gradAtParticles(arch: NetArchitecture, theta: Float64Array, m: number, w: Float64Array | null, data: NetData, out: Float64Array, r: Float64Array, work: Float64Array | null): number {
  const { n, p, y } = data;
  if (!work || work.length < m * n) {
    const R = risk(arch, theta, m, w, data, r);
    gradFirstVariationAt(arch, r, data, theta, m, out);
    return R;
  }
  const xt = columns(data);
  const dim = neuronDim(arch, p);
  r.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    const o = i * dim, to = i * n;
    const ci = theta[o] * (w ? w[i] : 1 / m);
    if (p === 2 && arch.activation === 'tanh' && !arch.bias) {
      // the hot case (Zhu's model): activation and output in one pass
      const v0 = theta[o + 1], v1 = theta[o + 2];
      for (let j = 0; j < n; j++) {
        const t = fastTanh(v0 * xt[j] + v1 * xt[n + j]);
        work[to + j] = t;
        r[j] += ci * t;
      }
      continue;
    }
    activations(arch, theta, o, xt, n, p, work, to);
    for (let j = 0; j < n; j++) r[j] += ci * work[to + j];
  }
  let R = 0;
  for (let j = 0; j < n; j++) {
    r[j] -= y[j];
    R += r[j] * r[j];
  }
  for (let i = 0; i < m; i++) neuronGradient(arch, theta, i * dim, xt, n, p, work, i * n, r, out);
  return R / n;
}
