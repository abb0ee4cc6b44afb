// Two-layer networks as measures over their neurons. A neuron theta = (c, v) in R^{1+q} has an outer weight c and
// inner weights v in R^q acting on the input x~ = x (q = p) or x~ = [x; 1] (q = p + 1, a bias input); the network is
// f(x) = sum_i w_i c_i phi(v_i . x~) with particle weights w_i (1/m for uniform weights): the mean-field model of
// Zhu (eq. 1: theta = (a, w), no bias) and the 2-homogeneous ReLU model of Chizat & Bach 2018 (u = (b, a), bias).
// Risk R(mu) = (1/n) sum_j (f(x_j) - y_j)^2; its first variation is dR/dmu (theta) = (2/n) sum_j r_j c phi(v . x~_j)
// with residuals r_j = f(x_j) - y_j, and the schemes use its gradient in theta (= m dR/dtheta_i at a particle).
import { activate, slopeFromValue, type Activation } from './activation';

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

/** v . x~_j for neuron inner weights at theta[o + 1 ..]. */
function preActivation(theta: Float64Array, o: number, x: Float64Array, j: number, p: number, bias: boolean): number {
  let z = bias ? theta[o + 1 + p] : 0;
  const xo = j * p;
  for (let c = 0; c < p; c++) z += theta[o + 1 + c] * x[xo + c];
  return z;
}

/** f(x_j) for every sample of `data`, for m neurons (row-major m x dim) with weights w (null = 1/m). */
export function predict(arch: NetArchitecture, theta: Float64Array, m: number, w: Float64Array | null, data: NetData, out: Float64Array): void {
  const { n, p, x } = data;
  const dim = neuronDim(arch, p);
  out.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    const o = i * dim;
    const ci = theta[o] * (w ? w[i] : 1 / m);
    if (ci === 0) continue;
    for (let j = 0; j < n; j++) out[j] += ci * activate(arch.activation, preActivation(theta, o, x, j, p, arch.bias));
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
  const { n, p, x } = data;
  const dim = neuronDim(arch, p);
  const s = 2 / n;
  const g = new Float64Array(dim);
  for (let i = 0; i < nAt; i++) {
    const o = i * dim;
    g.fill(0);
    for (let j = 0; j < n; j++) {
      const rj = r[j];
      const t = activate(arch.activation, preActivation(at, o, x, j, p, arch.bias));
      g[0] += rj * t;
      const d = rj * slopeFromValue(arch.activation, t);
      if (d === 0) continue;
      const xo = j * p;
      for (let c = 0; c < p; c++) g[1 + c] += d * x[xo + c];
      if (arch.bias) g[1 + p] += d;
    }
    out[o] = s * g[0];
    const sc = s * at[o];
    for (let c = 1; c < dim; c++) out[o + c] = sc * g[c];
  }
}

/** Largest m x n for which `gradAtParticles` stores the activations (32 MiB); above it they are recomputed. */
const STORE_LIMIT = 1 << 22;

/**
 * The risk and grad dR/dmu at the m particles themselves, with one activation per (neuron, sample) pair: the forward
 * pass stores phi(v_i . x~_j) and the backward pass reuses it. `work` (length m n, or null to recompute) is scratch.
 */
export function gradAtParticles(arch: NetArchitecture, theta: Float64Array, m: number, w: Float64Array | null, data: NetData, out: Float64Array, r: Float64Array, work: Float64Array | null): number {
  const { n, p, x, y } = data;
  if (!work || work.length < m * n) {
    const R = risk(arch, theta, m, w, data, r);
    gradFirstVariationAt(arch, r, data, theta, m, out);
    return R;
  }
  const dim = neuronDim(arch, p);
  const act = arch.activation, bias = arch.bias;
  r.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    const o = i * dim, to = i * n;
    const ci = theta[o] * (w ? w[i] : 1 / m);
    for (let j = 0; j < n; j++) {
      const t = activate(act, preActivation(theta, o, x, j, p, bias));
      work[to + j] = t;
      r[j] += ci * t;
    }
  }
  let R = 0;
  for (let j = 0; j < n; j++) {
    r[j] -= y[j];
    R += r[j] * r[j];
  }
  const s = 2 / n;
  for (let i = 0; i < m; i++) {
    const o = i * dim, to = i * n;
    let g0 = 0;
    for (let c = 1; c < dim; c++) out[o + c] = 0;
    for (let j = 0; j < n; j++) {
      const rj = r[j];
      const t = work[to + j];
      g0 += rj * t;
      const d = rj * slopeFromValue(act, t);
      if (d === 0) continue;
      const xo = j * p;
      for (let c = 0; c < p; c++) out[o + 1 + c] += d * x[xo + c];
      if (bias) out[o + 1 + p] += d;
    }
    out[o] = s * g0;
    const sc = s * theta[o];
    for (let c = 1; c < dim; c++) out[o + c] *= sc;
  }
  return R / n;
}

export const STORED_ACTIVATIONS_LIMIT = STORE_LIMIT;
