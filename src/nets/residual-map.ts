// The learned transport map of the JKO step of Mokrov et al. (NeurIPS 2021) as used by Zhu (§4.2): a residual
// network T(theta) = theta + W2 tanh(W1 theta + c) with q hidden units, and the inner loss of one JKO step
//   L(T) = E(T_# mu) - tau sum_i w_i log |det grad T(theta_i)| + (1 / 2g) sum_i w_i |T(theta_i) - theta_i|^2
// (the change of variables h(T_# mu) = h(mu) + int log |det grad T| dmu for the entropy), with its gradient in
// (W1, c, W2) written out by hand: d log |det J| = tr(J^-1 dJ), J = I + W2 D W1, D = diag(1 - tanh^2(z)).
import type { Rng } from '../random';
import { fastTanh } from './activation';

export interface ResidualMap {
  readonly d: number;
  readonly q: number;
  /** q x d, row-major. */
  readonly w1: Float64Array;
  readonly c: Float64Array;
  /** d x q, row-major. */
  readonly w2: Float64Array;
}

export function createResidualMap(d: number, q: number): ResidualMap {
  return { d, q, w1: new Float64Array(q * d), c: new Float64Array(q), w2: new Float64Array(d * q) };
}

/** W1 ~ N(0, 1/d), c ~ N(0, 1), W2 = 0: T starts at the identity. */
export function resetMap(map: ResidualMap, rng: Rng): void {
  const s = 1 / Math.sqrt(map.d);
  for (let k = 0; k < map.w1.length; k++) map.w1[k] = s * rng.normal();
  for (let k = 0; k < map.q; k++) map.c[k] = rng.normal();
  map.w2.fill(0);
}

/** y_i = T(theta_i) for n points; h (n x q) receives tanh(W1 theta_i + c). */
export function applyMap(map: ResidualMap, theta: Float64Array, n: number, y: Float64Array, h: Float64Array): void {
  const { d, q, w1, c, w2 } = map;
  for (let i = 0; i < n; i++) {
    const o = i * d, ho = i * q;
    for (let l = 0; l < q; l++) {
      let z = c[l];
      for (let b = 0; b < d; b++) z += w1[l * d + b] * theta[o + b];
      h[ho + l] = fastTanh(z);
    }
    for (let a = 0; a < d; a++) {
      let s = theta[o + a];
      for (let l = 0; l < q; l++) s += w2[a * q + l] * h[ho + l];
      y[o + a] = s;
    }
  }
}

/** J = I + W2 diag(1 - h^2) W1 at one point (h its hidden values), into jac (d x d). */
export function mapJacobian(map: ResidualMap, h: Float64Array, ho: number, jac: Float64Array): void {
  const { d, q, w1, w2 } = map;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let s = a === b ? 1 : 0;
      for (let l = 0; l < q; l++) {
        const t = h[ho + l];
        s += w2[a * q + l] * (1 - t * t) * w1[l * d + b];
      }
      jac[a * d + b] = s;
    }
  }
}

/**
 * log |det A| of a d x d matrix by LU with partial pivoting (A is overwritten); writes A^-1 into inv when given.
 * Returns -Infinity for a singular matrix (inv is then left unspecified).
 */
export function logAbsDet(A: Float64Array, d: number, inv?: Float64Array, perm: Int32Array = new Int32Array(d)): number {
  let logdet = 0;
  for (let k = 0; k < d; k++) perm[k] = k;
  for (let k = 0; k < d; k++) {
    let piv = k, best = Math.abs(A[k * d + k]);
    for (let r = k + 1; r < d; r++) if (Math.abs(A[r * d + k]) > best) { best = Math.abs(A[r * d + k]); piv = r; }
    if (!(best > 0)) return best === 0 ? -Infinity : NaN;
    if (piv !== k) {
      for (let c = 0; c < d; c++) { const t = A[k * d + c]; A[k * d + c] = A[piv * d + c]; A[piv * d + c] = t; }
      const t = perm[k]; perm[k] = perm[piv]; perm[piv] = t;
    }
    const akk = A[k * d + k];
    logdet += Math.log(Math.abs(akk));
    for (let r = k + 1; r < d; r++) {
      const f = (A[r * d + k] /= akk);
      for (let c = k + 1; c < d; c++) A[r * d + c] -= f * A[k * d + c];
    }
  }
  if (inv) {
    // Solve A X = P^T e_j column by column: forward (unit L) then backward (U).
    for (let j = 0; j < d; j++) {
      for (let r = 0; r < d; r++) {
        let s = perm[r] === j ? 1 : 0;
        for (let c = 0; c < r; c++) s -= A[r * d + c] * inv[c * d + j];
        inv[r * d + j] = s;
      }
      for (let r = d - 1; r >= 0; r--) {
        let s = inv[r * d + j];
        for (let c = r + 1; c < d; c++) s -= A[r * d + c] * inv[c * d + j];
        inv[r * d + j] = s / A[r * d + r];
      }
    }
  }
  return logdet;
}

/** Gradient buffers for (W1, c, W2). */
export interface MapGradient { readonly w1: Float64Array; readonly c: Float64Array; readonly w2: Float64Array }
export const mapGradient = (map: ResidualMap): MapGradient => ({ w1: new Float64Array(map.w1.length), c: new Float64Array(map.q), w2: new Float64Array(map.w2.length) });

/** Per-call scratch of `mapLossGradient`. */
export interface MapScratch { readonly jac: Float64Array; readonly inv: Float64Array; readonly w1k: Float64Array; readonly gz: Float64Array; readonly perm: Int32Array }
export const mapScratch = (map: ResidualMap): MapScratch => ({ jac: new Float64Array(map.d * map.d), inv: new Float64Array(map.d * map.d), w1k: new Float64Array(map.q * map.d), gz: new Float64Array(map.q), perm: new Int32Array(map.d) });

/**
 * Accumulates into grad the gradient in (W1, c, W2) of sum_i [gy_i . T(theta_i) - tau w_i log |det grad T(theta_i)|],
 * where gy_i = dL/dy_i is the gradient of the rest of the loss in y_i = T(theta_i) (given), h the hidden values of
 * `applyMap`. Returns sum_i w_i log |det grad T(theta_i)| (0 when tau = 0: not computed).
 */
export function mapLossGradient(map: ResidualMap, theta: Float64Array, n: number, w: Float64Array | null, h: Float64Array, gy: Float64Array, tau: number, grad: MapGradient, s: MapScratch): number {
  const { d, q, w1, w2 } = map;
  const { jac, inv, w1k, gz, perm } = s;
  let sumLogDet = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d, ho = i * q;
    const wi = w ? w[i] : 1 / n;
    gz.fill(0);
    if (tau !== 0) {
      mapJacobian(map, h, ho, jac);
      const ld = logAbsDet(jac, d, inv, perm);
      sumLogDet += wi * ld;
      const coef = -tau * wi;
      // w1k = W1 K (q x d), K = J^-1
      for (let l = 0; l < q; l++) for (let a = 0; a < d; a++) {
        let t = 0;
        for (let b = 0; b < d; b++) t += w1[l * d + b] * inv[b * d + a];
        w1k[l * d + a] = t;
      }
      for (let l = 0; l < q; l++) {
        const t = h[ho + l], D = 1 - t * t;
        let diag = 0; // (W1 K W2)_ll
        for (let a = 0; a < d; a++) {
          grad.w2[a * q + l] += coef * D * w1k[l * d + a];
          diag += w1k[l * d + a] * w2[a * q + l];
        }
        for (let b = 0; b < d; b++) {
          let kw = 0; // (K W2)[b, l]
          for (let a = 0; a < d; a++) kw += inv[b * d + a] * w2[a * q + l];
          grad.w1[l * d + b] += coef * D * kw;
        }
        gz[l] += coef * diag * (-2 * t * D); // sigma''(z) = -2 tanh(z) (1 - tanh^2(z))
      }
    }
    for (let l = 0; l < q; l++) {
      const t = h[ho + l];
      let gh = 0;
      for (let a = 0; a < d; a++) {
        grad.w2[a * q + l] += gy[o + a] * t;
        gh += w2[a * q + l] * gy[o + a];
      }
      gz[l] += gh * (1 - t * t);
    }
    for (let l = 0; l < q; l++) {
      const g = gz[l];
      if (g === 0) continue;
      grad.c[l] += g;
      for (let b = 0; b < d; b++) grad.w1[l * d + b] += g * theta[o + b];
    }
  }
  return sumLogDet;
}

/** sum_i w_i log |det grad T(theta_i)| and min_i |det grad T(theta_i)| (h from `applyMap`). */
export function logDetStats(map: ResidualMap, h: Float64Array, n: number, w: Float64Array | null, s: MapScratch): { sumLogDet: number; minAbsDet: number } {
  let sumLogDet = 0, minAbsDet = Infinity;
  for (let i = 0; i < n; i++) {
    mapJacobian(map, h, i * map.q, s.jac);
    const ld = logAbsDet(s.jac, map.d, undefined, s.perm);
    sumLogDet += (w ? w[i] : 1 / n) * ld;
    minAbsDet = Math.min(minAbsDet, Math.exp(ld));
  }
  return { sumLogDet, minAbsDet };
}
