// Exact laws on grids, integrated over the cells: Gaussians (Ornstein-Uhlenbeck / heat flow) and Barenblatt
// profiles of d_t u = Delta u^m (Barenblatt 1952; Vazquez, "The porous medium equation", 2007, §4.4), plus the
// moments of grid masses. Cell masses come from tensor Gauss-Legendre quadrature of the (positive) density itself,
// so far tails keep their relative accuracy (no CDF differences that cancel).
import type { GridBox } from '../measures/grid';

const GL_X = [-0.906179845938664, -0.5384693101056831, 0, 0.5384693101056831, 0.906179845938664];
const GL_W = [0.23692688505618908, 0.47862867049936647, 0.5688888888888889, 0.47862867049936647, 0.23692688505618908];

/** Quadrature nodes (offsets in [0, 1]) and weights (sum 1) of `sub` sub-intervals x 5 Gauss-Legendre points. */
function rule(sub: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(5 * sub), w = new Float64Array(5 * sub);
  for (let s = 0; s < sub; s++) for (let j = 0; j < 5; j++) {
    x[s * 5 + j] = (s + (GL_X[j] + 1) / 2) / sub;
    w[s * 5 + j] = GL_W[j] / 2 / sub;
  }
  return { x, w };
}

/** Integrates a density over every cell of the box (row-major), out[i] = int_cell rho. */
export function integrateCells(box: GridBox, rho: (x: Float64Array) => number, out: Float64Array, sub = 1): Float64Array {
  const dims = box.shape.length;
  const h = box.shape.map((n, d) => (box.hi[d] - box.lo[d]) / n);
  const vol = h.reduce((p, v) => p * v, 1);
  const r = rule(sub);
  const q = r.x.length;
  const size = box.shape.reduce((p, s) => p * s, 1);
  const pt = new Float64Array(dims);
  const corner = new Float64Array(dims);
  const nodes = Math.pow(q, dims);
  for (let idx = 0; idx < size; idx++) {
    let rest = idx;
    for (let d = dims - 1; d >= 0; d--) {
      corner[d] = box.lo[d] + (rest % box.shape[d]) * h[d];
      rest = Math.floor(rest / box.shape[d]);
    }
    let s = 0;
    for (let t = 0; t < nodes; t++) {
      let rem = t, w = 1;
      for (let d = dims - 1; d >= 0; d--) {
        const j = rem % q;
        rem = Math.floor(rem / q);
        pt[d] = corner[d] + r.x[j] * h[d];
        w *= r.w[j];
      }
      s += w * rho(pt);
    }
    out[idx] = s * vol;
  }
  return out;
}

/** The Gaussian density N(mean, cov) (cov row-major d x d, d <= 3) as a function of x. */
export function gaussianDensity(mean: readonly number[], cov: readonly number[]): (x: Float64Array) => number {
  const d = mean.length;
  const inv = invSmall(cov, d);
  const det = detSmall(cov, d);
  if (!(det > 0)) throw new RangeError('covariance must be positive definite');
  const norm = 1 / Math.sqrt(Math.pow(2 * Math.PI, d) * det);
  const dx = new Float64Array(d);
  return (x) => {
    for (let i = 0; i < d; i++) dx[i] = x[i] - mean[i];
    let qf = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) qf += dx[i] * inv[i * d + j] * dx[j];
    return norm * Math.exp(-qf / 2);
  };
}

export function detSmall(a: readonly number[], d: number): number {
  if (d === 1) return a[0];
  if (d === 2) return a[0] * a[3] - a[1] * a[2];
  return a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
}

export function invSmall(a: readonly number[], d: number): number[] {
  const det = detSmall(a, d);
  if (d === 1) return [1 / a[0]];
  if (d === 2) return [a[3] / det, -a[1] / det, -a[2] / det, a[0] / det];
  const c = (i: number, j: number) => {
    const r = [0, 1, 2].filter((x) => x !== i), s = [0, 1, 2].filter((x) => x !== j);
    return ((i + j) % 2 ? -1 : 1) * (a[r[0] * 3 + s[0]] * a[r[1] * 3 + s[1]] - a[r[0] * 3 + s[1]] * a[r[1] * 3 + s[0]]);
  };
  const out: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out.push(c(j, i) / det);
  return out;
}

/** Ornstein-Uhlenbeck law at time t for V = |x - b|^2 / 2 (diffusion 1): mean b + e^-t (m0 - b), cov e^-2t S0 + (1 - e^-2t) I. */
export function ouLaw(m0: readonly number[], S0: readonly number[], b: readonly number[], t: number): { mean: number[]; cov: number[] } {
  const d = m0.length, e1 = Math.exp(-t), e2 = Math.exp(-2 * t);
  return {
    mean: m0.map((m, i) => b[i] + e1 * (m - b[i])),
    cov: S0.map((s, ij) => e2 * s + (Math.floor(ij / d) === ij % d ? 1 - e2 : 0)),
  };
}

/** Heat flow d_t u = D Delta u from N(m0, S0): N(m0, S0 + 2 D t I). */
export function heatLaw(m0: readonly number[], S0: readonly number[], t: number, D = 1): { mean: number[]; cov: number[] } {
  const d = m0.length;
  return { mean: [...m0], cov: S0.map((s, ij) => s + (Math.floor(ij / d) === ij % d ? 2 * D * t : 0)) };
}

function lgamma(x: number): number {
  // Lanczos (g = 7, n = 9), |rel. error| < 1e-14 for x > 0.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let s = c[0];
  for (let i = 1; i < 9; i++) s += c[i] / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

export interface Barenblatt {
  readonly alpha: number;
  readonly k: number;
  readonly C: number;
  /** u(x, t). */
  density(x: Float64Array, t: number): number;
  /** Radius of the support at time t. */
  radius(t: number): number;
}

/**
 * The Barenblatt solution of d_t u = Delta(u^m) in R^d with mass M, centred at `centre`:
 * u = t^-alpha (C - k |x|^2 t^(-2 alpha / d))_+^(1/(m-1)), alpha = d / (d (m - 1) + 2), k = alpha (m - 1) / (2 m d),
 * C from int (C - k |y|^2)_+^beta dy = C^(beta + d/2) k^(-d/2) pi^(d/2) Gamma(beta + 1) / Gamma(beta + 1 + d/2) = M.
 */
export function barenblatt(m: number, d: number, centre: readonly number[], M = 1): Barenblatt {
  if (!(m > 1)) throw new RangeError(`Barenblatt exponent m must be > 1, got ${m}`);
  const alpha = d / (d * (m - 1) + 2);
  const k = (alpha * (m - 1)) / (2 * m * d);
  const beta = 1 / (m - 1);
  const logI = -(d / 2) * Math.log(k) + (d / 2) * Math.log(Math.PI) + lgamma(beta + 1) - lgamma(beta + 1 + d / 2);
  const C = Math.exp((Math.log(M) - logI) / (beta + d / 2));
  return {
    alpha, k, C,
    density(x, t) {
      let r2 = 0;
      for (let i = 0; i < d; i++) r2 += (x[i] - centre[i]) ** 2;
      const base = C - k * r2 * Math.pow(t, (-2 * alpha) / d);
      return base > 0 ? Math.pow(t, -alpha) * Math.pow(base, beta) : 0;
    },
    radius(t) { return Math.sqrt(C / k) * Math.pow(t, alpha / d); },
  };
}

/** Mean and covariance (row-major) of masses at the cell centres, over all channels. */
export function gridMoments(box: GridBox, p: Float64Array): { mass: number; mean: number[]; cov: number[] } {
  const dims = box.shape.length;
  const size = box.shape.reduce((a, s) => a * s, 1);
  const h = box.shape.map((n, d) => (box.hi[d] - box.lo[d]) / n);
  const x = new Float64Array(dims);
  let mass = 0;
  const s1 = new Float64Array(dims), s2 = new Float64Array(dims * dims);
  for (let i = 0; i < p.length; i++) {
    const w = p[i];
    if (w === 0) continue;
    let rest = i % size;
    for (let d = dims - 1; d >= 0; d--) {
      x[d] = box.lo[d] + ((rest % box.shape[d]) + 0.5) * h[d];
      rest = Math.floor(rest / box.shape[d]);
    }
    mass += w;
    for (let a = 0; a < dims; a++) {
      s1[a] += w * x[a];
      for (let b = 0; b < dims; b++) s2[a * dims + b] += w * x[a] * x[b];
    }
  }
  const mean = Array.from(s1, (v) => v / mass);
  const cov = Array.from(s2, (v, ab) => v / mass - mean[Math.floor(ab / dims)] * mean[ab % dims]);
  return { mass, mean, cov };
}

/**
 * The entropic JKO recursion for a 1-D Gaussian (no grid): from N(m, a), the step argmin W_gamma(q, p) + 2 tau f(q)
 * with f = int V q + D int q log q, V = lambda (x - b)^2 / 2 (lambda = 0: heat) stays Gaussian, N(m', s) with
 * m' = b + (m - b) / (1 + lambda tau) and s the root of 1 + lambda tau - a / c - D tau / s = 0,
 * c = (sqrt(gamma^2 + 16 a s) - gamma) / 4 the optimal cross-covariance of the entropic coupling. (Derivation:
 * the objective over Gaussian couplings is a + s - 2c - (gamma/2) log(a s - c^2) + lambda tau s - D tau log s + const,
 * minimised in c (2c^2 + gamma c - 2 a s = 0) and then in s, using a s - c^2 = gamma c / 2.)
 */
export function entropicJkoGaussian1d(m: number, a: number, b: number, lambda: number, D: number, tau: number, gamma: number): { mean: number; variance: number } {
  const G = (s: number) => { const c = (Math.sqrt(gamma * gamma + 16 * a * s) - gamma) / 4; return 1 + lambda * tau - a / c - (D * tau) / s; };
  // G increases in s (a / c and D tau / s decrease); bracket and bisect.
  let lo = 1e-300, hi = Math.max(a, 1) * 2 + 4 * D * tau + gamma;
  while (G(hi) < 0) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = lo < 1e-12 * hi ? Math.sqrt(lo * hi) : (lo + hi) / 2;
    if (G(mid) < 0) lo = mid; else hi = mid;
    if (hi - lo <= 1e-15 * hi) break;
  }
  return { mean: b + (m - b) / (1 + lambda * tau), variance: (lo + hi) / 2 };
}
