// Entropic OT by Sinkhorn's algorithm (Cuturi 2013) in kernel form and in the log domain with epsilon-scaling
// (Schmitzer 2019, "Stabilized sparse scaling algorithms"); POT's convention P = argmin <P,C> + reg sum P (log P - 1)
// and stopping rule (2-norm of the column-marginal error, checked every 10 iterations). Sinkhorn divergence:
// Feydy et al. 2019, "Interpolating between optimal transport and MMD using Sinkhorn divergences".
import { sqEuclideanCost } from './cost';
import { createSimdWorkspace } from './simd';
import type { SimdWorkspace } from './simd';
import type { CostMatrix, PointCloud, WeightsInput } from './errors';
import { OtInputError, checkReg, positiveIndices, toCostProblem, toDiscreteMeasures } from './errors';

export type SinkhornMethod = 'log' | 'kernel';

export interface SinkhornOptions {
  /** Entropic regularization (> 0), in cost units. */
  readonly reg: number;
  /** 'auto' (default): kernel form when (max C - min C) / reg <= 200, else the log domain. */
  readonly method?: 'auto' | SinkhornMethod;
  /** Stop when the 2-norm of P^T 1 - b is below tol (rows are exact after each iteration). Default 1e-9. */
  readonly tol?: number;
  /** Default 10000. */
  readonly maxIter?: number;
  /**
   * Check the marginal error after iterations 1, 1 + k, 1 + 2k, ... POT uses k = 10 because its check costs a pass
   * over the matrix; here the check reuses the iteration's own products, so the default is k = 1 (stop as soon as
   * the error is below tol). k = 10 with overrelax: false reproduces POT's iterates and iteration counts.
   */
  readonly checkEvery?: number;
  /**
   * Log domain only: solve a decreasing sequence of regularizations (factor 1/2 per stage) from the cost range down
   * to reg, warm-starting the potentials. Default: on when (max C - min C) / reg > 1000.
   */
  readonly epsScaling?: boolean;
  /**
   * Kernel form only: over-relaxed updates with a factor in [1, 1.9] chosen from the observed convergence rate
   * (fewer iterations at the same tolerance; then both marginal errors enter the stopping test). Default true;
   * false reproduces POT's iterates exactly.
   */
  readonly overrelax?: boolean;
  /**
   * When Sinkhorn stalls (linear rate above 0.9995 per iteration) on a problem with min(n, m) <= 400, finish with
   * damped Newton steps on the dual (Brauer, Clason, Lorenz & Wirth 2017, "A Sinkhorn-Newton method for entropic
   * optimal transport"), which converge quadratically. Default true; iterations then count Newton steps too.
   */
  readonly newton?: boolean;
  /** Kernel form: use the WebAssembly SIMD kernels when available (default true; false forces plain loops). */
  readonly simd?: boolean;
  /** Return the dense plan (n x m row-major). Default false. */
  readonly returnPlan?: boolean;
  /** Warm start: potentials (f, g) in cost units, e.g. from a previous solve. */
  readonly init?: { readonly f: ArrayLike<number>; readonly g: ArrayLike<number> };
}

export type SinkhornStatus = 'converged' | 'max_iter_reached' | 'numerical_error';

export interface SinkhornResult {
  /** <P, C>. */
  readonly value: number;
  /** <P, C> + reg * sum P_ij (log P_ij - 1). */
  readonly regValue: number;
  /** Potentials: P_ij = exp((f_i + g_j - C_ij) / reg). Zero-weight points get the entropic c-transform (row sum 1). */
  readonly f: Float64Array;
  readonly g: Float64Array;
  readonly converged: boolean;
  readonly status: SinkhornStatus;
  /** Total Sinkhorn iterations (all epsilon-scaling stages). */
  readonly iterations: number;
  /**
   * Marginal error at each check, in order: the column error (rows are exact) for plain iterations, both marginals
   * (2-norm) for overrelaxed iterations and Newton steps.
   */
  readonly errors: Float64Array;
  /** Final 2-norm errors of the row and column marginals of P. */
  readonly rowError: number;
  readonly colError: number;
  readonly method: SinkhornMethod;
  readonly plan: Float64Array | null;
}

/** Sinkhorn with a given cost matrix (rows = a.length, cols = b.length); a or b null means uniform. */
export function sinkhorn(a: WeightsInput, b: WeightsInput, cost: CostMatrix | readonly (readonly number[])[], options: SinkhornOptions): SinkhornResult {
  const p = toCostProblem(a, b, cost);
  return solveSinkhorn(p.a, p.b, p.C, p.n, p.m, options);
}

/** Sinkhorn between point clouds with the squared Euclidean cost. */
export function sinkhornPoints(x: PointCloud | unknown, y: PointCloud | unknown, a: WeightsInput, b: WeightsInput, options: SinkhornOptions): SinkhornResult {
  checkReg(options.reg);
  const mu = toDiscreteMeasures(x, y, a, b);
  return solveSinkhorn(mu.a, mu.b, sqEuclideanCost(mu.x, mu.y).data, mu.x.n, mu.y.n, options);
}

export interface SinkhornDivergenceResult {
  /** S(a, b) = OT(a, b) - (OT(a, a) + OT(b, b)) / 2 with OT the regularized cost (>= 0 for this kernel). */
  readonly value: number;
  readonly ab: SinkhornResult;
  readonly aa: SinkhornResult;
  readonly bb: SinkhornResult;
  readonly converged: boolean;
  readonly iterations: number;
}

/** Debiased Sinkhorn divergence between point clouds (squared Euclidean cost). */
export function sinkhornDivergence(x: PointCloud | unknown, y: PointCloud | unknown, a: WeightsInput, b: WeightsInput, options: SinkhornOptions): SinkhornDivergenceResult {
  checkReg(options.reg);
  const { x: px, y: py, a: wa, b: wb } = toDiscreteMeasures(x, y, a, b);
  const opts = { ...options, returnPlan: false, init: undefined };
  const ab = solveSinkhorn(wa, wb, sqEuclideanCost(px, py).data, px.n, py.n, opts);
  const aa = solveSinkhorn(wa, wa, sqEuclideanCost(px, px).data, px.n, px.n, opts);
  const bb = solveSinkhorn(wb, wb, sqEuclideanCost(py, py).data, py.n, py.n, opts);
  return Object.freeze({
    value: ab.regValue - 0.5 * (aa.regValue + bb.regValue),
    ab, aa, bb,
    converged: ab.converged && aa.converged && bb.converged,
    iterations: ab.iterations + aa.iterations + bb.iterations,
  });
}

/** Core on validated weights (>= 0, equal mass) and an n x m cost. */
export function solveSinkhorn(a: Float64Array, b: Float64Array, C: Float64Array, n: number, m: number, options: SinkhornOptions): SinkhornResult {
  const reg = checkReg(options.reg);
  const tol = options.tol ?? 1e-9;
  const maxIter = options.maxIter ?? 10000;
  const checkEvery = options.checkEvery ?? 1;
  if (!(tol >= 0)) throw new OtInputError('tol', `must be >= 0, got ${tol}`);
  if (!(maxIter >= 1) || !Number.isInteger(maxIter)) throw new OtInputError('maxIter', `must be an integer >= 1, got ${maxIter}`);
  if (!(checkEvery >= 1) || !Number.isInteger(checkEvery)) throw new OtInputError('checkEvery', `must be an integer >= 1, got ${checkEvery}`);

  // Work on the support of a and b; zero-weight points are added back with c-transformed potentials.
  const ka = positiveIndices(a);
  const kb = positiveIndices(b);
  const nr = ka.length, mr = kb.length;
  const pruned = nr !== n || mr !== m;
  const Cr = pruned ? subMatrix(C, m, ka, kb) : C;
  const ar = pruned ? pick(a, ka) : a;
  const br = pruned ? pick(b, kb) : b;

  const [cmin, cmax] = minMax(Cr);
  const range = cmax - cmin;
  const requested = options.method ?? 'auto';
  let method: SinkhornMethod = requested === 'auto' ? (range / reg <= 200 ? 'kernel' : 'log') : requested;

  const f = new Float64Array(nr);
  const g = new Float64Array(mr);
  const hasInit = !!options.init;
  if (options.init) {
    const fi = options.init.f, gi = options.init.g;
    if (fi.length !== n) throw new OtInputError('init.f', `expected ${n} potentials, got ${fi.length}`);
    if (gi.length !== m) throw new OtInputError('init.g', `expected ${m} potentials, got ${gi.length}`);
    for (let i = 0; i < nr; i++) f[i] = fi[ka[i]];
    for (let j = 0; j < mr; j++) g[j] = gi[kb[j]];
  }
  const errors: number[] = [];
  let iterations = 0;
  let state: { converged: boolean; numerical: boolean } = { converged: false, numerical: false };
  let stalled = false;
  // Newton polishing is available when the dense m x m (or n x n) Schur complement is cheap.
  const newtonOk = (options.newton ?? true) && Math.min(nr, mr) <= 400 && nr * mr <= 400_000;
  let scalings: { K: Float64Array; u: Float64Array; v: Float64Array } | null = null;

  if (method === 'kernel') {
    const k = kernelSinkhorn(ar, br, Cr, nr, mr, reg, tol, maxIter, checkEvery, options.overrelax ?? true, f, g, hasInit, errors, newtonOk, cmin, cmax, options.simd ?? true);
    iterations += k.iterations;
    state = k;
    if (!k.numerical && !k.stalled) scalings = k;
    stalled = k.stalled;
    if (k.numerical && requested === 'auto') {
      // Underflow or overflow of the scalings: restart in the log domain from the last finite potentials.
      method = 'log';
      for (let i = 0; i < nr; i++) if (!Number.isFinite(f[i])) f[i] = 0;
      for (let j = 0; j < mr; j++) if (!Number.isFinite(g[j])) g[j] = 0;
      state = { converged: false, numerical: false };
    }
  }
  if (method === 'log') {
    const scaling = options.epsScaling ?? range / reg > 1000;
    if (scaling && range > 0) {
      const stageTol = Math.max(tol, 1e-4 * Math.sqrt(totalOf(br)));
      let eps = Math.max(reg, range);
      while (eps > reg * 1.0000001 && iterations < maxIter) {
        const s = logSinkhorn(ar, br, Cr, nr, mr, eps, stageTol, Math.min(200, maxIter - iterations), checkEvery, f, g, errors);
        iterations += s.iterations;
        eps = Math.max(reg, eps / 2);
      }
    }
    const s = logSinkhorn(ar, br, Cr, nr, mr, reg, tol, Math.max(1, maxIter - iterations), checkEvery, f, g, errors, newtonOk);
    iterations += s.iterations;
    state = s;
    stalled = s.stalled;
  }
  if (stalled) {
    // Sinkhorn contracts too slowly (rate close to 1): finish with Newton steps on the dual (small problems only).
    const nt = newtonPolish(ar, br, Cr, nr, mr, reg, tol, f, g, errors);
    iterations += nt.steps;
    state = { converged: nt.converged, numerical: false };
  }

  // Final pass: value, marginals, optional plan.
  const plan = options.returnPlan ? new Float64Array(n * m) : null;
  const emit = plan ? (i: number, j: number, p: number): void => { plan[ka[i] * m + kb[j]] = p; } : null;
  const fin = scalings
    ? finalPassKernel(ar, br, Cr, nr, mr, reg, f, g, scalings.K, scalings.u, scalings.v, emit)
    : finalPass(ar, br, Cr, nr, mr, reg, f, g, emit);
  // Potentials on the full index set; zero-weight points get the entropic c-transform.
  const fFull = new Float64Array(n);
  const gFull = new Float64Array(m);
  for (let i = 0; i < nr; i++) fFull[ka[i]] = f[i];
  for (let j = 0; j < mr; j++) gFull[kb[j]] = g[j];
  if (pruned) {
    if (nr !== n) fillCTransformRows(C, n, m, a, kb, g, reg, fFull);
    if (mr !== m) fillCTransformCols(C, n, m, b, ka, f, reg, gFull);
  }
  const status: SinkhornStatus = state.numerical ? 'numerical_error' : state.converged ? 'converged' : 'max_iter_reached';
  return Object.freeze({
    value: fin.value,
    regValue: fin.regValue,
    f: fFull,
    g: gFull,
    converged: state.converged,
    status,
    iterations,
    errors: Float64Array.from(errors),
    rowError: fin.rowError,
    colError: fin.colError,
    method,
    plan,
  });
}

function minMax(C: Float64Array): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < C.length; k++) {
    const c = C[k];
    if (c < lo) lo = c;
    if (c > hi) hi = c;
  }
  return [lo, hi];
}

function totalOf(w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i];
  return s;
}

function pick(w: Float64Array, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = w[idx[k]];
  return out;
}

function subMatrix(C: Float64Array, m: number, rows: Int32Array, cols: Int32Array): Float64Array {
  const out = new Float64Array(rows.length * cols.length);
  for (let i = 0; i < rows.length; i++) {
    const src = rows[i] * m, dst = i * cols.length;
    for (let j = 0; j < cols.length; j++) out[dst + j] = C[src + cols[j]];
  }
  return out;
}

/**
 * Kernel-form iterations, one pass over K per iteration: v = b / K^T u, then for each block of 4 rows
 * u_i = a_i / (K v)_i and K^T u accumulated from the same cached rows. With overrelax, the updates become
 * u <- u^(1 - w) (a / K v)^w with w set from the observed linear rate (Thibault, Chizat, Dossal & Papadakis 2021,
 * "Overrelaxed Sinkhorn-Knopp algorithm for regularized optimal transport"), reset to 1 if the error grows.
 * Writes f = reg log u, g = reg log v (the last finite iterate on failure).
 */
function kernelSinkhorn(
  a: Float64Array, b: Float64Array, C: Float64Array, n: number, m: number, reg: number, tol: number, maxIter: number,
  checkEvery: number, overrelax: boolean, f: Float64Array, g: Float64Array, warm: boolean, errors: number[],
  stallBreak: boolean, cmin: number, cmax: number, useSimd: boolean,
): { converged: boolean; numerical: boolean; stalled: boolean; iterations: number; K: Float64Array; u: Float64Array; v: Float64Array } {
  const ir = 1 / reg;
  // Kernel of the shifted cost C - min C (entries in (0, 1]); the constant is absorbed by u and added back to f.
  const shift = cmin;
  const u = new Float64Array(n);
  if (warm) {
    for (let i = 0; i < n; i++) u[i] = Math.exp((f[i] - shift) * ir);
  } else {
    u.fill(1 / n); // POT's initialization
  }
  // WebAssembly SIMD for the matrix sweeps when available (and when exp's argument stays above -708).
  const simd = useSimd && n * m >= 4096 && (cmax - shift) * ir <= 700 ? createSimdWorkspace(align16(n * m * 8) + align16(m * 8) * 2 + 64) : null;
  const vOff = align16(n * m * 8), ktuOff = vOff + align16(m * 8), outOff = ktuOff + align16(m * 8);
  const sv = new Float64Array(n); // (K v)_i of the last pass
  const K = simd ? new Float64Array(simd.buffer, 0, n * m) : new Float64Array(n * m);
  const v = simd ? new Float64Array(simd.buffer, vOff, m) : new Float64Array(m);
  const ktu = simd ? new Float64Array(simd.buffer, ktuOff, m) : new Float64Array(m);
  if (warm) {
    for (let j = 0; j < m; j++) v[j] = Math.exp(g[j] * ir);
  } else {
    v.fill(1 / m);
  }
  if (simd) {
    K.set(C);
    const even = (n * m) & ~1;
    simd.expInPlace(0, even, -ir, shift * ir);
    if (even < n * m) K[even] = Math.exp(-(C[even] - shift) * ir);
    const rowBytes = m * 8, pairs = m >> 1;
    let i = 0;
    for (; i + 3 < n; i += 4) simd.axpy4(i * rowBytes, ktuOff, pairs, rowBytes, u[i], u[i + 1], u[i + 2], u[i + 3]);
    if (m & 1) for (let r = 0; r < i; r++) ktu[m - 1] += u[r] * K[r * m + m - 1];
    for (; i < n; i++) {
      const row = i * m, ui = u[i];
      for (let j = 0; j < m; j++) ktu[j] += ui * K[row + j];
    }
  } else {
    // K = exp(-(C - shift) / reg) and K^T u in the same sweep.
    for (let i = 0; i < n; i++) {
      const row = i * m, ui = u[i];
      for (let j = 0; j < m; j++) {
        const kij = Math.exp(-(C[row + j] - shift) * ir);
        K[row + j] = kij;
        ktu[j] += ui * kij;
      }
    }
  }
  const pass = simd
    ? (w: number): boolean => kernelPassSimd(simd, K, a, b, n, m, u, v, ktu, sv, w, vOff, ktuOff, outOff)
    : (w: number): boolean => kernelPass(K, a, b, n, m, u, v, ktu, sv, w);
  let converged = false;
  let numerical = false;
  let stalled = false;
  const firstCheck = errors.length;
  let it = 0;
  let w = 1;
  let lastErr = Infinity;
  let bestErr = Infinity;
  let cooldown = 0;
  const allowRelax = overrelax;
  const uPrev = new Float64Array(n);
  const vPrev = new Float64Array(m);
  while (it < maxIter) {
    uPrev.set(u);
    vPrev.set(v);
    const ok = pass(w);
    it++;
    if (!ok) {
      numerical = true;
      u.set(uPrev);
      v.set(vPrev);
      break;
    }
    if ((it - 1) % checkEvery === 0) {
      // Column error of diag(u) K diag(v); with w = 1 the rows are exact, as in POT.
      let e = 0;
      for (let j = 0; j < m; j++) {
        const t = v[j] * ktu[j] - b[j];
        e += t * t;
      }
      if (w !== 1) {
        for (let i = 0; i < n; i++) {
          const t = u[i] * sv[i] - a[i];
          e += t * t;
        }
      }
      e = Math.sqrt(e);
      errors.push(e);
      if (e < tol) {
        converged = true;
        break;
      }
      if (allowRelax) {
        if (e > 2 * bestErr && w !== 1) {
          // Overshooting: halve the excess relaxation and wait a few checks before raising it again.
          w = 1 + 0.5 * (w - 1);
          if (w < 1.05) w = 1;
          cooldown = 5;
        } else if (cooldown > 0) {
          cooldown--;
        } else if (e < lastErr && it > checkEvery) {
          // Plain Sinkhorn contracts linearly with rate r; the SOR-optimal factor is 2 / (1 + sqrt(1 - r)).
          // With w > 1 the observed rate is already accelerated, so only raise w from there.
          const rate = Math.pow(e / lastErr, 1 / checkEvery);
          const target = Math.min(1.95, 2 / (1 + Math.sqrt(1 - rate)));
          if (w === 1 || target > w) w = target;
        }
        if (e < bestErr) bestErr = e;
      }
      lastErr = e;
      if (stallBreak && isStalling(errors, firstCheck, checkEvery)) {
        stalled = true;
        break;
      }
    }
  }
  for (let i = 0; i < n; i++) f[i] = reg * Math.log(u[i]) + shift;
  for (let j = 0; j < m; j++) g[j] = reg * Math.log(v[j]);
  return { converged, numerical, stalled, iterations: it, K, u, v };
}

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/** kernelPass with the four-row dot products and updates in WebAssembly SIMD (same arithmetic up to summation order). */
function kernelPassSimd(
  ws: SimdWorkspace, K: Float64Array, a: Float64Array, b: Float64Array, n: number, m: number, u: Float64Array,
  v: Float64Array, ktu: Float64Array, sv: Float64Array, w: number, vOff: number, ktuOff: number, outOff: number,
): boolean {
  let bad = false;
  for (let j = 0; j < m; j++) {
    let t = b[j] / ktu[j];
    if (w !== 1) t = v[j] * Math.pow(t / v[j], w);
    if (!(t > 0 && t < Infinity)) bad = true;
    v[j] = t;
    ktu[j] = 0;
  }
  const out = new Float64Array(ws.buffer, outOff, 4);
  const pairs = m >> 1;
  const odd = (m & 1) === 1;
  const rowBytes = m * 8;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    ws.dot4(i * rowBytes, vOff, pairs, rowBytes, outOff);
    let s0 = out[0], s1 = out[1], s2 = out[2], s3 = out[3];
    if (odd) {
      const j = m - 1, vj = v[j];
      s0 += K[i * m + j] * vj;
      s1 += K[(i + 1) * m + j] * vj;
      s2 += K[(i + 2) * m + j] * vj;
      s3 += K[(i + 3) * m + j] * vj;
    }
    let u0 = a[i] / s0, u1 = a[i + 1] / s1, u2 = a[i + 2] / s2, u3 = a[i + 3] / s3;
    if (w !== 1) {
      u0 = u[i] * Math.pow(u0 / u[i], w);
      u1 = u[i + 1] * Math.pow(u1 / u[i + 1], w);
      u2 = u[i + 2] * Math.pow(u2 / u[i + 2], w);
      u3 = u[i + 3] * Math.pow(u3 / u[i + 3], w);
    }
    if (!(u0 > 0 && u0 < Infinity && u1 > 0 && u1 < Infinity && u2 > 0 && u2 < Infinity && u3 > 0 && u3 < Infinity)) bad = true;
    u[i] = u0;
    u[i + 1] = u1;
    u[i + 2] = u2;
    u[i + 3] = u3;
    sv[i] = s0;
    sv[i + 1] = s1;
    sv[i + 2] = s2;
    sv[i + 3] = s3;
    ws.axpy4(i * rowBytes, ktuOff, pairs, rowBytes, u0, u1, u2, u3);
    if (odd) {
      const j = m - 1;
      ktu[j] += (u0 * K[i * m + j] + u1 * K[(i + 1) * m + j]) + (u2 * K[(i + 2) * m + j] + u3 * K[(i + 3) * m + j]);
    }
  }
  for (; i < n; i++) {
    const row = i * m;
    let s = 0;
    for (let j = 0; j < m; j++) s += K[row + j] * v[j];
    let ui = a[i] / s;
    if (w !== 1) ui = u[i] * Math.pow(ui / u[i], w);
    if (!(ui > 0 && ui < Infinity)) bad = true;
    u[i] = ui;
    sv[i] = s;
    for (let j = 0; j < m; j++) ktu[j] += ui * K[row + j];
  }
  return !bad;
}

/** One Sinkhorn iteration in kernel form (relaxation w). ktu holds K^T u on entry and on exit. False on under/overflow. */
function kernelPass(K: Float64Array, a: Float64Array, b: Float64Array, n: number, m: number, u: Float64Array, v: Float64Array, ktu: Float64Array, sv: Float64Array, w: number): boolean {
  let bad = false;
  for (let j = 0; j < m; j++) {
    let t = b[j] / ktu[j];
    if (w !== 1) t = v[j] * Math.pow(t / v[j], w);
    if (!(t > 0 && t < Infinity)) bad = true;
    v[j] = t;
    ktu[j] = 0;
  }
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
    let u0 = a[i] / s0, u1 = a[i + 1] / s1, u2 = a[i + 2] / s2, u3 = a[i + 3] / s3;
    if (w !== 1) {
      u0 = u[i] * Math.pow(u0 / u[i], w);
      u1 = u[i + 1] * Math.pow(u1 / u[i + 1], w);
      u2 = u[i + 2] * Math.pow(u2 / u[i + 2], w);
      u3 = u[i + 3] * Math.pow(u3 / u[i + 3], w);
    }
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
  for (; i < n; i++) {
    const row = i * m;
    let s = 0;
    for (let j = 0; j < m; j++) s += K[row + j] * v[j];
    let ui = a[i] / s;
    if (w !== 1) ui = u[i] * Math.pow(ui / u[i], w);
    if (!(ui > 0 && ui < Infinity)) bad = true;
    u[i] = ui;
    sv[i] = s;
    for (let j = 0; j < m; j++) ktu[j] += ui * K[row + j];
  }
  return !bad;
}

/** True when the last 20 checks show a per-iteration contraction slower than 0.9995 (thousands of iterations to go). */
function isStalling(errors: number[], first: number, checkEvery: number): boolean {
  const k = errors.length;
  if (k - first < 21) return false;
  const ratio = errors[k - 1] / errors[k - 21];
  return !(ratio < Math.pow(0.9995, 20 * checkEvery));
}

/**
 * Damped Newton on the dual D(f, g) = <a,f> + <b,g> - reg sum exp((f_i + g_j - C_ij)/reg): solve
 * [[diag r, P], [P^T, diag c]] (df, dg) = reg (a - r, b - c) through the Schur complement on the smaller side,
 * then backtrack until the marginal error decreases. Ends with one row update so that rows are exact (as Sinkhorn).
 */
function newtonPolish(
  a: Float64Array, b: Float64Array, C: Float64Array, n: number, m: number, reg: number, tol: number,
  f: Float64Array, g: Float64Array, errors: number[],
): { converged: boolean; steps: number } {
  const ir = 1 / reg;
  const P = new Float64Array(n * m);
  const r = new Float64Array(n), c = new Float64Array(m);
  const ft = new Float64Array(n), gt = new Float64Array(m);
  const df = new Float64Array(n), dg = new Float64Array(m);
  const evalAt = (ff: Float64Array, gg: Float64Array): number => {
    r.fill(0);
    c.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * m;
      let s = 0;
      for (let j = 0; j < m; j++) {
        const p = Math.exp((ff[i] + gg[j] - C[row + j]) * ir);
        P[row + j] = p;
        s += p;
        c[j] += p;
      }
      r[i] = s;
    }
    let e = 0;
    for (let i = 0; i < n; i++) e += (r[i] - a[i]) * (r[i] - a[i]);
    for (let j = 0; j < m; j++) e += (c[j] - b[j]) * (c[j] - b[j]);
    return Math.sqrt(e);
  };
  let err = evalAt(f, g);
  let steps = 0;
  for (; steps < 60; steps++) {
    if (!(err >= tol)) break;
    if (!newtonDirection(P, r, c, a, b, n, m, reg, df, dg)) break;
    let t = 1;
    let accepted = false;
    for (let ls = 0; ls < 40; ls++, t *= 0.5) {
      for (let i = 0; i < n; i++) ft[i] = f[i] + t * df[i];
      for (let j = 0; j < m; j++) gt[j] = g[j] + t * dg[j];
      const e2 = evalAt(ft, gt);
      if (e2 < err) {
        f.set(ft);
        g.set(gt);
        err = e2;
        accepted = true;
        break;
      }
    }
    errors.push(err);
    if (!accepted) {
      evalAt(f, g);
      break;
    }
  }
  // Exact rows (f-update), then report the column error as Sinkhorn does.
  for (let i = 0; i < n; i++) {
    const row = i * m;
    let mx = -Infinity;
    for (let j = 0; j < m; j++) mx = Math.max(mx, g[j] - C[row + j]);
    let s = 0;
    for (let j = 0; j < m; j++) s += Math.exp((g[j] - C[row + j] - mx) * ir);
    f[i] = reg * Math.log(a[i]) - mx - reg * Math.log(s);
  }
  evalAt(f, g);
  let ce = 0;
  for (let j = 0; j < m; j++) ce += (c[j] - b[j]) * (c[j] - b[j]);
  ce = Math.sqrt(ce);
  errors.push(ce);
  return { converged: ce < tol, steps: steps + 1 };
}

/** Newton direction through the Schur complement on the g side (or the f side when n < m). False if singular. */
function newtonDirection(
  P: Float64Array, r: Float64Array, c: Float64Array, a: Float64Array, b: Float64Array, n: number, m: number, reg: number,
  df: Float64Array, dg: Float64Array,
): boolean {
  const onG = m <= n;
  const k = onG ? m : n; // size of the Schur system
  const S = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  // Entry accessor for the plan seen from the eliminated side: E(p, q) with p over the eliminated index.
  const ne = onG ? n : m;
  const E = (p: number, q: number): number => (onG ? P[p * m + q] : P[q * m + p]);
  const dElim = onG ? r : c, dKeep = onG ? c : r;
  const gElim = onG ? a : b, gKeep = onG ? b : a;
  for (let q = 0; q < k; q++) {
    S[q * k + q] = dKeep[q];
    rhs[q] = reg * (gKeep[q] - dKeep[q]);
  }
  for (let p = 0; p < ne; p++) {
    const inv = 1 / dElim[p];
    const re = reg * (gElim[p] - dElim[p]) * inv;
    for (let q = 0; q < k; q++) {
      const epq = E(p, q);
      if (epq === 0) continue;
      rhs[q] -= epq * re;
      const w = epq * inv;
      for (let q2 = 0; q2 < k; q2++) S[q * k + q2] -= w * E(p, q2);
    }
  }
  // The Schur matrix is singular along the constant vector (potentials are defined up to f + t, g - t);
  // adding its mean diagonal times 1 1^T / k fixes that gauge without changing the solution.
  let tr = 0;
  for (let q = 0; q < k; q++) tr += S[q * k + q];
  const shift = tr / k / k;
  for (let q = 0; q < k * k; q++) S[q] += shift;
  const x = solveSpd(S, rhs, k);
  if (x === null) return false;
  const dk = onG ? dg : df, de = onG ? df : dg;
  dk.set(x);
  for (let p = 0; p < ne; p++) {
    let s = reg * (gElim[p] - dElim[p]);
    for (let q = 0; q < k; q++) s -= E(p, q) * x[q];
    de[p] = s / dElim[p];
  }
  return true;
}

/** Solves S x = y for symmetric positive definite S (k x k, overwritten) by Cholesky; null if not positive definite. */
function solveSpd(S: Float64Array, y: Float64Array, k: number): Float64Array | null {
  for (let j = 0; j < k; j++) {
    let d = S[j * k + j];
    for (let t = 0; t < j; t++) d -= S[j * k + t] * S[j * k + t];
    if (!(d > 0)) return null;
    const l = Math.sqrt(d);
    S[j * k + j] = l;
    for (let i = j + 1; i < k; i++) {
      let s = S[i * k + j];
      for (let t = 0; t < j; t++) s -= S[i * k + t] * S[j * k + t];
      S[i * k + j] = s / l;
    }
  }
  const x = Float64Array.from(y);
  for (let i = 0; i < k; i++) {
    let s = x[i];
    for (let t = 0; t < i; t++) s -= S[i * k + t] * x[t];
    x[i] = s / S[i * k + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = x[i];
    for (let t = i + 1; t < k; t++) s -= S[t * k + i] * x[t];
    x[i] = s / S[i * k + i];
  }
  return x;
}

/** Column log-sum-exp L_j = log sum_i exp((f_i - C_ij) / reg), one row-major pass with a running max per column. */
function columnLse(C: Float64Array, n: number, m: number, ir: number, f: Float64Array, mx: Float64Array, acc: Float64Array): void {
  mx.fill(-Infinity);
  acc.fill(0);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    const fi = f[i];
    for (let j = 0; j < m; j++) {
      const t = (fi - C[row + j]) * ir;
      const mj = mx[j];
      if (t > mj) {
        acc[j] = acc[j] * Math.exp(mj - t) + 1;
        mx[j] = t;
      } else {
        acc[j] += Math.exp(t - mj);
      }
    }
  }
  for (let j = 0; j < m; j++) mx[j] += Math.log(acc[j]);
}

/** Log-domain iterations on (f, g) in place (stable for any reg > 0). */
function logSinkhorn(
  a: Float64Array, b: Float64Array, C: Float64Array, n: number, m: number, reg: number, tol: number, maxIter: number,
  checkEvery: number, f: Float64Array, g: Float64Array, errors: number[], stallBreak = false,
): { converged: boolean; numerical: boolean; stalled: boolean; iterations: number } {
  const ir = 1 / reg;
  const firstCheck = errors.length;
  let stalled = false;
  const loga = new Float64Array(n);
  const logb = new Float64Array(m);
  for (let i = 0; i < n; i++) loga[i] = Math.log(a[i]);
  for (let j = 0; j < m; j++) logb[j] = Math.log(b[j]);
  const L = new Float64Array(m);
  const acc = new Float64Array(m);
  let converged = false;
  let it = 0;
  for (;;) {
    columnLse(C, n, m, ir, f, L, acc);
    if (it > 0 && (it - 1) % checkEvery === 0) {
      // Column marginal of the current plan: exp(g_j / reg + L_j); rows are exact after the f-update.
      let e = 0;
      for (let j = 0; j < m; j++) {
        const t = Math.exp(g[j] * ir + L[j]) - b[j];
        e += t * t;
      }
      e = Math.sqrt(e);
      errors.push(e);
      if (e < tol) {
        converged = true;
        break;
      }
      if (stallBreak && isStalling(errors, firstCheck, checkEvery)) {
        stalled = true;
        break;
      }
    }
    if (it >= maxIter) break;
    for (let j = 0; j < m; j++) g[j] = reg * (logb[j] - L[j]);
    for (let i = 0; i < n; i++) {
      const row = i * m;
      let mx = -Infinity;
      for (let j = 0; j < m; j++) {
        const t = g[j] - C[row + j];
        if (t > mx) mx = t;
      }
      let s = 0;
      for (let j = 0; j < m; j++) s += Math.exp((g[j] - C[row + j] - mx) * ir);
      f[i] = reg * loga[i] - mx - reg * Math.log(s);
    }
    it++;
  }
  return { converged, numerical: false, stalled, iterations: it };
}

/** One pass over P_ij = exp((f_i + g_j - C_ij) / reg): <P,C>, regularized cost, marginal errors, optional plan. */
function finalPass(
  a: Float64Array, b: Float64Array, C: Float64Array, n: number, m: number, reg: number, f: Float64Array, g: Float64Array,
  emit: ((i: number, j: number, p: number) => void) | null,
): { value: number; regValue: number; rowError: number; colError: number } {
  const ir = 1 / reg;
  const col = new Float64Array(m);
  let value = 0;
  let total = 0;
  let rowErr = 0;
  let fr = 0;
  for (let i = 0; i < n; i++) {
    const row = i * m;
    const fi = f[i];
    let r = 0;
    for (let j = 0; j < m; j++) {
      const c = C[row + j];
      const p = Math.exp((fi + g[j] - c) * ir);
      r += p;
      col[j] += p;
      value += p * c;
      if (emit !== null && p > 0) emit(i, j, p);
    }
    total += r;
    fr += r * fi;
    const t = r - a[i];
    rowErr += t * t;
  }
  let colErr = 0;
  let gc = 0;
  for (let j = 0; j < m; j++) {
    const t = col[j] - b[j];
    colErr += t * t;
    gc += col[j] * g[j];
  }
  // sum P log P = sum P (f_i + g_j - C_ij) / reg, hence <P,C> + reg sum P (log P - 1) = sum_i r_i f_i + sum_j c_j g_j - reg sum P.
  return { value, regValue: fr + gc - reg * total, rowError: Math.sqrt(rowErr), colError: Math.sqrt(colErr) };
}

/** finalPass with P_ij = u_i K_ij v_j (no exponentials). */
function finalPassKernel(
  a: Float64Array, b: Float64Array, C: Float64Array, n: number, m: number, reg: number, f: Float64Array, g: Float64Array,
  K: Float64Array, u: Float64Array, v: Float64Array, emit: ((i: number, j: number, p: number) => void) | null,
): { value: number; regValue: number; rowError: number; colError: number } {
  const col = new Float64Array(m);
  let value = 0;
  let total = 0;
  let rowErr = 0;
  let fr = 0;
  for (let i = 0; i < n; i++) {
    const row = i * m;
    const ui = u[i];
    let r = 0;
    let rc = 0;
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
  let colErr = 0;
  let gc = 0;
  for (let j = 0; j < m; j++) {
    const t = col[j] - b[j];
    colErr += t * t;
    gc += col[j] * g[j];
  }
  return { value, regValue: fr + gc - reg * total, rowError: Math.sqrt(rowErr), colError: Math.sqrt(colErr) };
}

function fillCTransformRows(C: Float64Array, n: number, m: number, a: Float64Array, kb: Int32Array, g: Float64Array, reg: number, out: Float64Array): void {
  const ir = 1 / reg;
  for (let i = 0; i < n; i++) {
    if (a[i] > 0) continue;
    const row = i * m;
    let mx = -Infinity;
    for (let t = 0; t < kb.length; t++) mx = Math.max(mx, g[t] - C[row + kb[t]]);
    let s = 0;
    for (let t = 0; t < kb.length; t++) s += Math.exp((g[t] - C[row + kb[t]] - mx) * ir);
    out[i] = -mx - reg * Math.log(s);
  }
}

function fillCTransformCols(C: Float64Array, n: number, m: number, b: Float64Array, ka: Int32Array, f: Float64Array, reg: number, out: Float64Array): void {
  const ir = 1 / reg;
  for (let j = 0; j < m; j++) {
    if (b[j] > 0) continue;
    let mx = -Infinity;
    for (let t = 0; t < ka.length; t++) mx = Math.max(mx, f[t] - C[ka[t] * m + j]);
    let s = 0;
    for (let t = 0; t < ka.length; t++) s += Math.exp((f[t] - C[ka[t] * m + j] - mx) * ir);
    out[j] = -mx - reg * Math.log(s);
  }
}
