// Sinkhorn iterations on a dense kernel K (n x m) with scalings u, v: P = diag(u) K diag(v). Used as is by the
// kernel form (K = exp(-(C - min C) / reg)) and by the stabilized log domain (K = exp((f_i + g_j - C_ij) / reg)
// with absorption, Schmitzer 2019). One pass over K per iteration: v = b / K^T u, then for each block of 4 rows
// u_i = a_i / (K v)_i and K^T u accumulated from the same cached rows. Over-relaxation: Thibault, Chizat, Dossal &
// Papadakis 2021, "Overrelaxed Sinkhorn-Knopp algorithm for regularized optimal transport".
import { acquireSimdWorkspace, align16, releaseSimdWorkspace } from './simd';
import type { SimdWorkspace } from './simd';

/**
 * What the one Sinkhorn loop (iterateKernel) needs from a geometry: the scalings, K^T u and K v of the last pass, and
 * the pass itself. Dense kernels (below) and separable grid kernels (grid.ts) implement it.
 */
export interface ScalingState {
  readonly n: number;
  readonly m: number;
  readonly u: Float64Array;
  readonly v: Float64Array;
  /** K^T u after the pass: column sums of the plan are v_j ktu_j. */
  readonly ktu: Float64Array;
  /** K v of the pass: row sums are u_i sv_i (= a_i when unrelaxed). */
  readonly sv: Float64Array;
  /** v = b / K^T u, then u = a / K v (relaxation w), then K^T u. False when a scaling left (0, inf). */
  pass(a: Float64Array, b: Float64Array, w: number): boolean;
}

/** K, u, v, K^T u and K v; in WebAssembly memory (K, v, K^T u) when the SIMD kernels are used. */
export interface KernelWork extends ScalingState {
  readonly K: Float64Array;
  readonly simd: SimdWorkspace | null;
  readonly vOff: number;
  readonly ktuOff: number;
  readonly outOff: number;
}

export function createKernelWork(n: number, m: number, useSimd: boolean): KernelWork {
  const vOff = align16(n * m * 8), ktuOff = vOff + align16(m * 8), outOff = ktuOff + align16(m * 8);
  const simd = useSimd && n * m >= 4096 ? acquireSimdWorkspace(outOff + 64) : null;
  const work: KernelWork = {
    n, m, simd, vOff, ktuOff, outOff,
    pass: (a, b, w) => (simd ? kernelPassSimd(work, a, b, w) : kernelPass(work, a, b, w)),
    K: simd ? new Float64Array(simd.buffer, 0, n * m) : new Float64Array(n * m),
    v: simd ? new Float64Array(simd.buffer, vOff, m) : new Float64Array(m),
    ktu: simd ? new Float64Array(simd.buffer, ktuOff, m) : new Float64Array(m),
    u: new Float64Array(n),
    sv: new Float64Array(n),
  };
  return work;
}

/** Hands the WebAssembly memory back for reuse; w must not be read afterwards. */
export function releaseKernelWork(w: KernelWork | null): void {
  if (w !== null) releaseSimdWorkspace(w.simd);
}

/**
 * K_ij = exp(s (C_ij - rowShift_i - colShift_j) + t); the arguments must be <= ~0 (they are clamped below at -708
 * in the SIMD exp, so an entry is never below 3e-308 there). rowShift/colShift null mean zeros.
 */
export function fillKernel(w: KernelWork, C: Float64Array, s: number, t: number, rowShift: Float64Array | null, colShift: Float64Array | null): void {
  const { n, m, K, simd } = w;
  if (rowShift === null && colShift === null) {
    if (simd) {
      K.set(C);
      const even = (n * m) & ~1;
      simd.expInPlace(0, even, s, t);
      if (even < n * m) K[even] = Math.exp(s * C[even] + t);
    } else {
      for (let k = 0; k < n * m; k++) K[k] = Math.exp(s * C[k] + t);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const row = i * m, ri = rowShift ? rowShift[i] : 0;
    if (simd) {
      for (let j = 0; j < m; j++) K[row + j] = s * (C[row + j] - ri - (colShift ? colShift[j] : 0)) + t;
    } else {
      for (let j = 0; j < m; j++) K[row + j] = Math.exp(s * (C[row + j] - ri - (colShift ? colShift[j] : 0)) + t);
    }
  }
  if (simd) {
    const even = (n * m) & ~1;
    simd.expInPlace(0, even, 1, 0);
    if (even < n * m) K[even] = Math.exp(K[even]);
  }
}

/** ktu = K^T u. */
export function fillKtu(w: KernelWork): void {
  const { n, m, K, u, ktu, simd } = w;
  ktu.fill(0);
  let i = 0;
  if (simd) {
    const rowBytes = m * 8, pairs = m >> 1;
    for (; i + 3 < n; i += 4) simd.axpy4(i * rowBytes, w.ktuOff, pairs, rowBytes, u[i], u[i + 1], u[i + 2], u[i + 3]);
    if (m & 1) for (let r = 0; r < i; r++) ktu[m - 1] += u[r] * K[r * m + m - 1];
  }
  for (; i < n; i++) {
    const row = i * m, ui = u[i];
    for (let j = 0; j < m; j++) ktu[j] += ui * K[row + j];
  }
}

/** Relaxation state carried across calls (and across absorptions). */
export interface Relaxation {
  w: number;
  lastErr: number;
  bestErr: number;
  cooldown: number;
}

export const freshRelaxation = (): Relaxation => ({ w: 1, lastErr: Infinity, bestErr: Infinity, cooldown: 0 });

export interface IterateOptions {
  readonly tol: number;
  readonly maxIter: number;
  readonly checkEvery: number;
  readonly overrelax: boolean;
  /** Stop with 'stalled' when the error contracts slower than 0.9995 per iteration over the last 20 checks. */
  readonly stallBreak: boolean;
  /** Stop with 'absorb' after an iteration that leaves some |log u_i| or |log v_j| above this bound. */
  readonly absorbAbove: number;
}

export type IterateStatus = 'converged' | 'max_iter' | 'numerical' | 'absorb' | 'stalled';

/**
 * Iterates on w (ktu must hold K^T u on entry). Errors: 2-norm of the column marginal error (rows are exact when
 * unrelaxed, as in POT), plus the row error when relaxed. On 'numerical' (a scaling not in (0, inf)) u and v are
 * the last finite iterate.
 */
export function iterateKernel(
  w: ScalingState, a: Float64Array, b: Float64Array, opts: IterateOptions, relax: Relaxation, errors: number[], firstCheck: number,
): { status: IterateStatus; iterations: number } {
  const { n, m, u, v, ktu, sv } = w;
  const uPrev = new Float64Array(n);
  const vPrev = new Float64Array(m);
  const bound = opts.absorbAbove;
  let it = 0;
  while (it < opts.maxIter) {
    uPrev.set(u);
    vPrev.set(v);
    const ok = w.pass(a, b, relax.w);
    it++;
    if (!ok) {
      u.set(uPrev);
      v.set(vPrev);
      return { status: 'numerical', iterations: it };
    }
    if ((it - 1) % opts.checkEvery === 0) {
      let e = 0;
      for (let j = 0; j < m; j++) {
        const t = v[j] * ktu[j] - b[j];
        e += t * t;
      }
      if (relax.w !== 1) {
        for (let i = 0; i < n; i++) {
          const t = u[i] * sv[i] - a[i];
          e += t * t;
        }
      }
      e = Math.sqrt(e);
      errors.push(e);
      if (e < opts.tol) return { status: 'converged', iterations: it };
      if (opts.overrelax) updateRelaxation(relax, e, it, opts.checkEvery);
      relax.lastErr = e;
      if (opts.stallBreak && isStalling(errors, firstCheck, opts.checkEvery)) return { status: 'stalled', iterations: it };
    }
    if (bound < Infinity && outOfBound(u, v, bound)) return { status: 'absorb', iterations: it };
  }
  return { status: 'max_iter', iterations: it };
}

function outOfBound(u: Float64Array, v: Float64Array, bound: number): boolean {
  const hi = Math.exp(bound), lo = 1 / hi;
  for (let i = 0; i < u.length; i++) if (!(u[i] < hi && u[i] > lo)) return true;
  for (let j = 0; j < v.length; j++) if (!(v[j] < hi && v[j] > lo)) return true;
  return false;
}

function updateRelaxation(r: Relaxation, e: number, it: number, checkEvery: number): void {
  if (e > 2 * r.bestErr && r.w !== 1) {
    // Overshooting: halve the excess relaxation and wait a few checks before raising it again.
    r.w = 1 + 0.5 * (r.w - 1);
    if (r.w < 1.05) r.w = 1;
    r.cooldown = 5;
  } else if (r.cooldown > 0) {
    r.cooldown--;
  } else if (e < r.lastErr && it > checkEvery) {
    // Plain Sinkhorn contracts linearly with rate q; the SOR-optimal factor is 2 / (1 + sqrt(1 - q)).
    // With w > 1 the observed rate is already accelerated, so only raise w from there.
    const rate = Math.pow(e / r.lastErr, 1 / checkEvery);
    const target = Math.min(1.95, 2 / (1 + Math.sqrt(1 - rate)));
    if (r.w === 1 || target > r.w) r.w = target;
  }
  if (e < r.bestErr) r.bestErr = e;
}

/** True when the last 20 checks show a per-iteration contraction slower than 0.9995 (thousands of iterations to go). */
export function isStalling(errors: number[], first: number, checkEvery: number): boolean {
  const k = errors.length;
  if (k - first < 21) return false;
  const ratio = errors[k - 1] / errors[k - 21];
  return !(ratio < Math.pow(0.9995, 20 * checkEvery));
}

/** v update from ktu (relaxation w); resets ktu. False on a scaling outside (0, inf). */
function updateV(b: Float64Array, m: number, v: Float64Array, ktu: Float64Array, w: number): boolean {
  let bad = false;
  for (let j = 0; j < m; j++) {
    let t = b[j] / ktu[j];
    if (w !== 1) t = v[j] * Math.pow(t / v[j], w);
    if (!(t > 0 && t < Infinity)) bad = true;
    v[j] = t;
    ktu[j] = 0;
  }
  return !bad;
}

/** Over-relaxed scaling update prev^(1 - w) next^w. */
export const relaxed = (prev: number, next: number, w: number): number => (w === 1 ? next : prev * Math.pow(next / prev, w));

/** One iteration in plain loops. ktu holds K^T u on entry and on exit. */
function kernelPass(wk: KernelWork, a: Float64Array, b: Float64Array, w: number): boolean {
  const { n, m, K, u, v, ktu, sv } = wk;
  let bad = !updateV(b, m, v, ktu, w);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = i * m, r1 = r0 + m, r2 = r1 + m, r3 = r2 + m;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = 0; j < m; j++) {
      const vj = v[j];
      s0 += K[r0 + j] * vj;
      s1 += K[r1 + j] * vj;
      s2 += K[r2 + j] * vj;
      s3 += K[r3 + j] * vj;
    }
    const u0 = relaxed(u[i], a[i] / s0, w), u1 = relaxed(u[i + 1], a[i + 1] / s1, w);
    const u2 = relaxed(u[i + 2], a[i + 2] / s2, w), u3 = relaxed(u[i + 3], a[i + 3] / s3, w);
    if (!(u0 > 0 && u0 < Infinity && u1 > 0 && u1 < Infinity && u2 > 0 && u2 < Infinity && u3 > 0 && u3 < Infinity)) bad = true;
    u[i] = u0;
    u[i + 1] = u1;
    u[i + 2] = u2;
    u[i + 3] = u3;
    sv[i] = s0;
    sv[i + 1] = s1;
    sv[i + 2] = s2;
    sv[i + 3] = s3;
    for (let j = 0; j < m; j++) ktu[j] += (u0 * K[r0 + j] + u1 * K[r1 + j]) + (u2 * K[r2 + j] + u3 * K[r3 + j]);
  }
  for (; i < n; i++) if (!tailRow(wk, a, i, w)) bad = true;
  return !bad;
}

function tailRow(wk: KernelWork, a: Float64Array, i: number, w: number): boolean {
  const { m, K, u, v, ktu, sv } = wk;
  const row = i * m;
  let s = 0;
  for (let j = 0; j < m; j++) s += K[row + j] * v[j];
  const ui = relaxed(u[i], a[i] / s, w);
  u[i] = ui;
  sv[i] = s;
  for (let j = 0; j < m; j++) ktu[j] += ui * K[row + j];
  return ui > 0 && ui < Infinity;
}

/** kernelPass with the four-row dot products and updates in WebAssembly SIMD (same arithmetic up to summation order). */
function kernelPassSimd(wk: KernelWork, a: Float64Array, b: Float64Array, w: number): boolean {
  const { n, m, K, u, v, ktu, sv } = wk;
  const ws = wk.simd!;
  let bad = !updateV(b, m, v, ktu, w);
  const out = new Float64Array(ws.buffer, wk.outOff, 4);
  const pairs = m >> 1;
  const odd = (m & 1) === 1;
  const rowBytes = m * 8;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    ws.dot4(i * rowBytes, wk.vOff, pairs, rowBytes, wk.outOff);
    let s0 = out[0], s1 = out[1], s2 = out[2], s3 = out[3];
    if (odd) {
      const j = m - 1, vj = v[j];
      s0 += K[i * m + j] * vj;
      s1 += K[(i + 1) * m + j] * vj;
      s2 += K[(i + 2) * m + j] * vj;
      s3 += K[(i + 3) * m + j] * vj;
    }
    const u0 = relaxed(u[i], a[i] / s0, w), u1 = relaxed(u[i + 1], a[i + 1] / s1, w);
    const u2 = relaxed(u[i + 2], a[i + 2] / s2, w), u3 = relaxed(u[i + 3], a[i + 3] / s3, w);
    if (!(u0 > 0 && u0 < Infinity && u1 > 0 && u1 < Infinity && u2 > 0 && u2 < Infinity && u3 > 0 && u3 < Infinity)) bad = true;
    u[i] = u0;
    u[i + 1] = u1;
    u[i + 2] = u2;
    u[i + 3] = u3;
    sv[i] = s0;
    sv[i + 1] = s1;
    sv[i + 2] = s2;
    sv[i + 3] = s3;
    ws.axpy4(i * rowBytes, wk.ktuOff, pairs, rowBytes, u0, u1, u2, u3);
    if (odd) {
      const j = m - 1;
      ktu[j] += (u0 * K[i * m + j] + u1 * K[(i + 1) * m + j]) + (u2 * K[(i + 2) * m + j] + u3 * K[(i + 3) * m + j]);
    }
  }
  for (; i < n; i++) if (!tailRow(wk, a, i, w)) bad = true;
  return !bad;
}

/** One pass over P = diag(u) K diag(v) (no exponentials): <P,C>, regularized cost from potentials (f, g), errors, plan. */
export function finalPassKernel(
  wk: KernelWork, a: Float64Array, b: Float64Array, C: Float64Array, reg: number, f: Float64Array, g: Float64Array,
  emit: ((i: number, j: number, p: number) => void) | null,
): { value: number; regValue: number; rowError: number; colError: number } {
  const { n, m, K, u, v } = wk;
  const col = new Float64Array(m);
  let value = 0, total = 0, rowErr = 0, fr = 0;
  for (let i = 0; i < n; i++) {
    const row = i * m;
    const ui = u[i];
    let r = 0, rc = 0;
    for (let j = 0; j < m; j++) {
      const kv = K[row + j] * v[j];
      r += kv;
      rc += kv * C[row + j];
      col[j] += ui * kv;
      if (emit !== null) emit(i, j, ui * kv);
    }
    r *= ui;
    value += ui * rc;
    total += r;
    fr += r * f[i];
    const t = r - a[i];
    rowErr += t * t;
  }
  let colErr = 0, gc = 0;
  for (let j = 0; j < m; j++) {
    const t = col[j] - b[j];
    colErr += t * t;
    gc += col[j] * g[j];
  }
  // sum P log P = sum P (f_i + g_j - C_ij) / reg, hence <P,C> + reg sum P (log P - 1) = sum_i r_i f_i + sum_j c_j g_j - reg sum P.
  return { value, regValue: fr + gc - reg * total, rowError: Math.sqrt(rowErr), colError: Math.sqrt(colErr) };
}
