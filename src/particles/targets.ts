// Target densities pi = exp(-V) / Z for the sampling problems (issue 7): Gaussian, Gaussian mixture and the
// "banana" (a twisted Gaussian, Haario, Saksman & Tamminen 2001, sec. 4: x2 -> x2 + b (x1^2 - a^2)). Each gives
// V, grad V (batched over row-major n x d points), the exact log normalizer, exact moments and an exact sampler.
import { choleskyInPlace } from '../linalg/cholesky';
import type { Rng } from '../random';

export type CovSpec = number[][] | { diag: number[] };

export type TargetSpec =
  | { kind: 'gaussian'; mean: number[]; cov: CovSpec }
  | { kind: 'mixture'; weights: number[]; means: number[][]; covs: CovSpec[] }
  | { kind: 'banana'; a: number; b: number; scales: number[] };

export interface Target {
  readonly dim: number;
  /** log Z for V such that pi = exp(-V) / Z (exact). */
  readonly logZ: number;
  /** out[i] = V(x_i), i < n. NaN coordinates propagate to NaN. */
  potential(x: Float64Array, n: number, out: Float64Array): void;
  /** out[i*d + k] = dV/dx_k (x_i). */
  gradPotential(x: Float64Array, n: number, out: Float64Array): void;
  /** out[i] = log pi(x_i) = -V(x_i) - log Z (for contour plots). */
  logDensity(x: Float64Array, n: number, out: Float64Array): void;
  /** n exact independent draws, row-major n x d. */
  sample(n: number, rng: Rng): Float64Array;
  /** The exact moments when pi is Gaussian, else null. */
  readonly gaussian: { readonly mean: Float64Array; readonly cov: Float64Array } | null;
  /** Exact mean (d) and covariance (d x d row-major) for every family. */
  readonly mean: Float64Array;
  readonly cov: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

function fail(field: string, msg: string): never {
  throw new RangeError(`${field}: ${msg}`);
}

function finiteVector(v: unknown, field: string, d?: number): Float64Array {
  if (!Array.isArray(v) || v.length === 0) fail(field, 'must be a non-empty array of numbers');
  if (d !== undefined && v.length !== d) fail(field, `must have length ${d} (the dimension), got ${v.length}`);
  const out = new Float64Array(v.length);
  for (let k = 0; k < v.length; k++) {
    if (typeof v[k] !== 'number' || !Number.isFinite(v[k])) fail(`${field}[${k}]`, `must be a finite number, got ${v[k]}`);
    out[k] = v[k];
  }
  return out;
}

/** Dense d x d covariance from a full or {diag} spec, checked symmetric positive definite. */
function covariance(spec: unknown, d: number, field: string): Float64Array {
  const c = new Float64Array(d * d);
  if (spec && typeof spec === 'object' && !Array.isArray(spec) && 'diag' in spec) {
    const diag = finiteVector((spec as { diag: unknown }).diag, `${field}.diag`, d);
    for (let k = 0; k < d; k++) {
      if (!(diag[k] > 0)) fail(`${field}.diag[${k}]`, `must be > 0, got ${diag[k]}`);
      c[k * d + k] = diag[k];
    }
    return c;
  }
  if (!Array.isArray(spec) || spec.length !== d) fail(field, `must be a ${d} x ${d} matrix or {"diag": [...]}`);
  for (let r = 0; r < d; r++) {
    const row = finiteVector(spec[r], `${field}[${r}]`, d);
    c.set(row, r * d);
  }
  let scale = 0;
  for (let k = 0; k < d * d; k++) scale = Math.max(scale, Math.abs(c[k]));
  for (let r = 0; r < d; r++) {
    for (let s = r + 1; s < d; s++) {
      if (Math.abs(c[r * d + s] - c[s * d + r]) > 1e-12 * scale) fail(field, 'must be symmetric positive definite (it is not symmetric)');
    }
  }
  return c;
}

/** Lower Cholesky factor (dense, upper part zeroed) or a RangeError naming the field. */
function cholesky(c: Float64Array, d: number, field: string): Float64Array {
  const l = Float64Array.from(c);
  if (!choleskyInPlace(l, d)) fail(field, 'must be symmetric positive definite');
  for (let r = 0; r < d; r++) for (let s = r + 1; s < d; s++) l[r * d + s] = 0;
  return l;
}

/** y = L^{-1} v (forward substitution); returns |y|^2. */
function forward(l: Float64Array, d: number, v: Float64Array, y: Float64Array): number {
  let q = 0;
  for (let r = 0; r < d; r++) {
    let s = v[r];
    const o = r * d;
    for (let k = 0; k < r; k++) s -= l[o + k] * y[k];
    const t = s / l[o + r];
    y[r] = t;
    q += t * t;
  }
  return q;
}

/** u = L^{-T} y (back substitution), so u = S^{-1} v when y = L^{-1} v. u may alias y. */
function backward(l: Float64Array, d: number, y: Float64Array, u: Float64Array): void {
  for (let r = d - 1; r >= 0; r--) {
    let s = y[r];
    for (let k = r + 1; k < d; k++) s -= l[k * d + r] * u[k];
    u[r] = s / l[r * d + r];
  }
}

interface Component {
  mean: Float64Array;
  chol: Float64Array;
  /** Diagonal covariance (then chol is unused): the variances. */
  diag: Float64Array | null;
  /** log w_k - (d/2) log 2pi - (1/2) log det S_k. */
  logc: number;
}

function component(mean: Float64Array, cov: Float64Array, d: number, field: string, logw: number): Component {
  let isDiag = true;
  for (let r = 0; r < d && isDiag; r++) for (let s = 0; s < d; s++) if (r !== s && cov[r * d + s] !== 0) { isDiag = false; break; }
  const chol = cholesky(cov, d, field);
  let logdet = 0;
  for (let k = 0; k < d; k++) logdet += 2 * Math.log(chol[k * d + k]);
  const diag = isDiag ? Float64Array.from({ length: d }, (_, k) => cov[k * d + k]) : null;
  return { mean, chol, diag, logc: logw - 0.5 * d * LOG_2PI - 0.5 * logdet };
}

/**
 * Half the Mahalanobis form for point x_i (offset o) and, when grad is given, S^{-1}(x - m) into grad[g..g+d).
 * Scratch v, y of length d.
 */
function quad(c: Component, d: number, x: Float64Array, o: number, v: Float64Array, y: Float64Array, grad: Float64Array | null, g: number): number {
  if (c.diag) {
    let q = 0;
    for (let k = 0; k < d; k++) {
      const t = x[o + k] - c.mean[k];
      q += (t * t) / c.diag[k];
      if (grad) grad[g + k] = t / c.diag[k];
    }
    return 0.5 * q;
  }
  for (let k = 0; k < d; k++) v[k] = x[o + k] - c.mean[k];
  const q = forward(c.chol, d, v, y);
  if (grad) {
    backward(c.chol, d, y, y);
    for (let k = 0; k < d; k++) grad[g + k] = y[k];
  }
  return 0.5 * q;
}

function drawGaussian(c: Component, d: number, z: Float64Array, out: Float64Array, o: number, rng: Rng): void {
  rng.fillNormal(z);
  if (c.diag) {
    for (let k = 0; k < d; k++) out[o + k] = c.mean[k] + Math.sqrt(c.diag[k]) * z[k];
    return;
  }
  for (let r = 0; r < d; r++) {
    let s = c.mean[r];
    for (let k = 0; k <= r; k++) s += c.chol[r * d + k] * z[k];
    out[o + r] = s;
  }
}

function finish(t: Omit<Target, 'logDensity'>): Target {
  return Object.freeze({
    ...t,
    logDensity(x: Float64Array, n: number, out: Float64Array): void {
      t.potential(x, n, out);
      for (let i = 0; i < n; i++) out[i] = -out[i] - t.logZ;
    },
  });
}

// Gaussian N(m, S): V = (x - m)^T S^{-1} (x - m) / 2, log Z = (d/2) log 2pi + (1/2) log det S.
function gaussianTarget(spec: { mean: unknown; cov: unknown }): Target {
  const mean = finiteVector(spec.mean, 'target.mean');
  const d = mean.length;
  const cov = covariance(spec.cov, d, 'target.cov');
  const c = component(mean, cov, d, 'target.cov', 0);
  const v = new Float64Array(d), y = new Float64Array(d);
  const inv = c.diag ? c.diag.map((t) => 1 / t) : null;
  return finish({
    dim: d,
    logZ: -c.logc,
    potential(x, n, out) {
      for (let i = 0; i < n; i++) out[i] = quad(c, d, x, i * d, v, y, null, 0);
    },
    gradPotential(x, n, out) {
      if (inv) {
        // diagonal covariance: (x - m) / s, one streaming pass
        for (let i = 0, o = 0; i < n; i++, o += d) for (let k = 0; k < d; k++) out[o + k] = (x[o + k] - mean[k]) * inv[k];
        return;
      }
      for (let i = 0; i < n; i++) quad(c, d, x, i * d, v, y, out, i * d);
    },
    sample(n, rng) {
      const out = new Float64Array(n * d), z = new Float64Array(d);
      for (let i = 0; i < n; i++) drawGaussian(c, d, z, out, i * d, rng);
      return out;
    },
    gaussian: Object.freeze({ mean: Float64Array.from(mean), cov: Float64Array.from(cov) }),
    mean: Float64Array.from(mean),
    cov: Float64Array.from(cov),
  });
}

// Mixture sum_k w_k N(m_k, S_k): V = -log sum_k w_k N(x; m_k, S_k) by log-sum-exp, log Z = 0;
// grad V = sum_k r_k(x) S_k^{-1} (x - m_k) with responsibilities r_k = w_k N_k / sum_l w_l N_l.
function mixtureTarget(spec: { weights: unknown; means: unknown; covs: unknown }): Target {
  const w = finiteVector(spec.weights, 'target.weights');
  const K = w.length;
  let sw = 0;
  for (let k = 0; k < K; k++) {
    if (!(w[k] > 0)) fail(`target.weights[${k}]`, `must be > 0, got ${w[k]}`);
    sw += w[k];
  }
  if (Math.abs(sw - 1) > 1e-9) fail('target.weights', `must sum to 1 (within 1e-9), sum is ${sw}`);
  if (!Array.isArray(spec.means) || spec.means.length !== K) fail('target.means', `must hold ${K} means (one per weight)`);
  if (!Array.isArray(spec.covs) || spec.covs.length !== K) fail('target.covs', `must hold ${K} covariances (one per weight)`);
  const d = finiteVector(spec.means[0], 'target.means[0]').length;
  const comps: Component[] = [];
  const mean = new Float64Array(d), cov = new Float64Array(d * d);
  for (let k = 0; k < K; k++) {
    const m = finiteVector(spec.means[k], `target.means[${k}]`, d);
    const s = covariance(spec.covs[k], d, `target.covs[${k}]`);
    comps.push(component(m, s, d, `target.covs[${k}]`, Math.log(w[k])));
    for (let r = 0; r < d; r++) {
      mean[r] += w[k] * m[r];
      for (let t = 0; t < d; t++) cov[r * d + t] += w[k] * (s[r * d + t] + m[r] * m[t]);
    }
  }
  for (let r = 0; r < d; r++) for (let t = 0; t < d; t++) cov[r * d + t] -= mean[r] * mean[t];
  const v = new Float64Array(d), y = new Float64Array(d), e = new Float64Array(K), g = new Float64Array(K * d);
  const logits = (x: Float64Array, o: number, grad: boolean): number => {
    let mx = -Infinity;
    for (let k = 0; k < K; k++) {
      const t = (e[k] = comps[k].logc - quad(comps[k], d, x, o, v, y, grad ? g : null, k * d));
      if (t !== t) return NaN; // NaN input propagates
      if (t > mx) mx = t;
    }
    if (!Number.isFinite(mx)) return mx; // overflowed distances: V = +Infinity
    let s = 0;
    for (let k = 0; k < K; k++) s += (e[k] = Math.exp(e[k] - mx));
    for (let k = 0; k < K; k++) e[k] /= s; // responsibilities
    return mx + Math.log(s);
  };
  const cum = new Float64Array(K);
  for (let k = 0, c = 0; k < K; k++) cum[k] = c += w[k];
  return finish({
    dim: d,
    logZ: 0,
    potential(x, n, out) {
      for (let i = 0; i < n; i++) out[i] = -logits(x, i * d, false);
    },
    gradPotential(x, n, out) {
      for (let i = 0; i < n; i++) {
        const o = i * d;
        const lse = logits(x, o, true);
        for (let r = 0; r < d; r++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += e[k] * g[k * d + r];
          out[o + r] = Number.isNaN(lse) ? NaN : s;
        }
      }
    },
    sample(n, rng) {
      const out = new Float64Array(n * d), z = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const u = rng.uniform() * sw;
        let k = 0;
        while (k < K - 1 && u >= cum[k]) k++;
        drawGaussian(comps[k], d, z, out, i * d, rng);
      }
      return out;
    },
    gaussian: null,
    mean,
    cov,
  });
}

// Banana: z ~ N(0, diag(s^2)), x = z except x2 = z2 + b (z1^2 - a^2) (Haario et al. 2001); the map has unit
// Jacobian, so V(x) = sum_k z_k^2 / (2 s_k^2) with z2 = x2 - b (x1^2 - a^2), log Z = (d/2) log 2pi + sum log s_k.
// Moments: E x2 = b (s1^2 - a^2), Var x2 = s2^2 + 2 b^2 s1^4, Cov(x1, x2) = b E z1^3 = 0.
function bananaTarget(spec: { a: unknown; b: unknown; scales: unknown }): Target {
  const s = finiteVector(spec.scales, 'target.scales');
  const d = s.length;
  if (d < 2) fail('target.scales', `must have length >= 2 (the dimension), got ${d}`);
  for (let k = 0; k < d; k++) if (!(s[k] > 0)) fail(`target.scales[${k}]`, `must be > 0, got ${s[k]}`);
  const a = spec.a, b = spec.b;
  if (typeof a !== 'number' || !Number.isFinite(a)) fail('target.a', `must be a finite number, got ${a}`);
  if (typeof b !== 'number' || !Number.isFinite(b)) fail('target.b', `must be a finite number, got ${b}`);
  const inv2 = Float64Array.from(s, (t) => 1 / (t * t));
  let logZ = 0.5 * d * LOG_2PI;
  for (let k = 0; k < d; k++) logZ += Math.log(s[k]);
  const mean = new Float64Array(d), cov = new Float64Array(d * d);
  mean[1] = b * (s[0] * s[0] - a * a);
  for (let k = 0; k < d; k++) cov[k * d + k] = s[k] * s[k];
  cov[d + 1] += 2 * b * b * s[0] ** 4;
  return finish({
    dim: d,
    logZ,
    potential(x, n, out) {
      for (let i = 0; i < n; i++) {
        const o = i * d, x1 = x[o];
        const z2 = x[o + 1] - b * (x1 * x1 - a * a);
        let q = x1 * x1 * inv2[0] + z2 * z2 * inv2[1];
        for (let k = 2; k < d; k++) q += x[o + k] * x[o + k] * inv2[k];
        out[i] = 0.5 * q;
      }
    },
    gradPotential(x, n, out) {
      for (let i = 0; i < n; i++) {
        const o = i * d, x1 = x[o];
        const g2 = (x[o + 1] - b * (x1 * x1 - a * a)) * inv2[1];
        out[o] = x1 * inv2[0] - 2 * b * x1 * g2;
        out[o + 1] = g2;
        for (let k = 2; k < d; k++) out[o + k] = x[o + k] * inv2[k];
      }
    },
    sample(n, rng) {
      const out = new Float64Array(n * d);
      for (let i = 0; i < n; i++) {
        const o = i * d;
        for (let k = 0; k < d; k++) out[o + k] = s[k] * rng.normal();
        out[o + 1] += b * (out[o] * out[o] - a * a);
      }
      return out;
    },
    gaussian: null,
    mean,
    cov,
  });
}

/** Builds a target from its setup spec; throws a RangeError naming the offending field. */
export function createTarget(spec: TargetSpec): Target {
  const kind = (spec as { kind?: unknown } | null)?.kind;
  if (kind === 'gaussian') return gaussianTarget(spec as { mean: unknown; cov: unknown });
  if (kind === 'mixture') return mixtureTarget(spec as { weights: unknown; means: unknown; covs: unknown });
  if (kind === 'banana') return bananaTarget(spec as { a: unknown; b: unknown; scales: unknown });
  return fail('target.kind', `must be "gaussian", "mixture" or "banana", got ${JSON.stringify(kind)}`);
}
