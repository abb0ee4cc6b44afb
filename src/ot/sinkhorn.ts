// Entropic OT by Sinkhorn's algorithm (Cuturi 2013) in kernel form and in a stabilized log domain with absorption
// and epsilon-scaling (Schmitzer 2019, "Stabilized sparse scaling algorithms"); POT's convention
// P = argmin <P,C> + reg sum P (log P - 1) and stopping rule (2-norm of the column-marginal error). Sinkhorn
// divergence: Feydy et al. 2019, "Interpolating between optimal transport and MMD using Sinkhorn divergences".
// This file chooses the form and assembles the result; the iterations live in sinkhorn-kernel.ts (kernel passes),
// sinkhorn-log.ts (absorption, epsilon stages) and sinkhorn-newton.ts (Newton polishing).
import { sqEuclideanCost } from './cost';
import { createKernelWork, fillKernel, fillKtu, finalPassKernel, freshRelaxation, iterateKernel, releaseKernelWork } from './sinkhorn-kernel';
import type { KernelWork } from './sinkhorn-kernel';
import { finalPassLog, stabilizedSinkhorn } from './sinkhorn-log';
import { newtonPolish } from './sinkhorn-newton';
import type { CostMatrix, PointCloud, WeightsInput } from './errors';
import { OtInputError, checkReg, positiveIndices, toCostProblem, toDiscreteMeasures } from './errors';

export type SinkhornMethod = 'log' | 'kernel';

export interface SinkhornOptions {
  /** Entropic regularization (> 0), in cost units. */
  readonly reg: number;
  /**
   * 'auto' (default): kernel form when (max C - min C) / reg <= 700 (exp(-700) ~ 1e-304 is still a normal double),
   * else the stabilized log domain; the kernel form falls back to the log domain when a scaling under- or
   * overflows. 'log': potentials in cost units with the scalings absorbed into them whenever they leave
   * [1e-50, 1e50]; between absorptions the iterations are kernel iterations (no exponential per entry).
   */
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
   * Log domain only: solve a decreasing sequence of regularizations (factor 1/2 per stage, at most 200 iterations
   * each) from the cost range down to reg, warm-starting the potentials. Default: on when (max C - min C) / reg >
   * 1000.
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
  /** Use the WebAssembly SIMD kernels when available (default true; false forces plain loops). */
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
  /** Total Sinkhorn iterations (all epsilon-scaling stages, Newton steps included). */
  readonly iterations: number;
  /** Log domain: kernel rebuilds (first build, absorptions, epsilon stages); 1 for the kernel form. */
  readonly kernelBuilds: number;
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

/**
 * Epsilon scaling pays only when plain (over-relaxed) iterations would contract very slowly: measured on Gaussian
 * clouds, it cost 3.4x the iterations at (max C - min C) / reg ~ 1100 (n = 1000) and was needed past ~1e4.
 */
const EPS_SCALING_ABOVE = 3000;

/** Core on validated weights (>= 0, equal mass) and an n x m cost. */
export function solveSinkhorn(a: Float64Array, b: Float64Array, C: Float64Array, n: number, m: number, options: SinkhornOptions): SinkhornResult {
  const reg = checkReg(options.reg);
  const tol = options.tol ?? 1e-9;
  const maxIter = options.maxIter ?? 10000;
  const checkEvery = options.checkEvery ?? 1;
  if (!(tol >= 0)) throw new OtInputError('tol', `must be >= 0, got ${tol}`);
  if (!(maxIter >= 1) || !Number.isInteger(maxIter)) throw new OtInputError('maxIter', `must be an integer >= 1, got ${maxIter}`);
  if (!(checkEvery >= 1) || !Number.isInteger(checkEvery)) throw new OtInputError('checkEvery', `must be an integer >= 1, got ${checkEvery}`);
  const requested = options.method ?? 'auto';
  if (requested !== 'auto' && requested !== 'kernel' && requested !== 'log') throw new OtInputError('method', `must be 'auto', 'kernel' or 'log', got ${String(requested)}`);

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
  let method: SinkhornMethod = requested === 'auto' ? (range / reg <= 700 ? 'kernel' : 'log') : requested;
  const useSimd = options.simd ?? true;
  const overrelax = options.overrelax ?? true;

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
  let kernelBuilds = 0;
  let state: { converged: boolean; numerical: boolean } = { converged: false, numerical: false };
  let stalled = false;
  // Newton polishing is available when the dense m x m (or n x n) Schur complement is cheap.
  const newtonOk = (options.newton ?? true) && Math.min(nr, mr) <= 400 && nr * mr <= 400_000;
  // The kernel and scalings of the last iterate (P = diag(u) K diag(v)), when they describe the returned potentials.
  let last: KernelWork | null = null;

  if (method === 'kernel') {
    // Kernel of the shifted cost C - min C (entries in (0, 1]); the constant is absorbed by u and added back to f.
    // The SIMD exp clamps its argument at -708, so it is used only when no entry is that small.
    const ir = 1 / reg;
    const work = createKernelWork(nr, mr, useSimd && range * ir <= 700);
    fillKernel(work, Cr, -ir, cmin * ir, null, null);
    kernelBuilds++;
    const { u, v } = work;
    if (hasInit) {
      for (let i = 0; i < nr; i++) u[i] = Math.exp((f[i] - cmin) * ir);
      for (let j = 0; j < mr; j++) v[j] = Math.exp(g[j] * ir);
    } else {
      u.fill(1 / nr); // POT's initialization
      v.fill(1 / mr);
    }
    fillKtu(work);
    const r = iterateKernel(work, ar, br, { tol, maxIter, checkEvery, overrelax, stallBreak: newtonOk, absorbAbove: Infinity }, freshRelaxation(), errors, 0);
    iterations += r.iterations;
    for (let i = 0; i < nr; i++) f[i] = reg * Math.log(u[i]) + cmin;
    for (let j = 0; j < mr; j++) g[j] = reg * Math.log(v[j]);
    state = { converged: r.status === 'converged', numerical: r.status === 'numerical' };
    stalled = r.status === 'stalled';
    if (r.status !== 'numerical' && !stalled) last = work;
    else releaseKernelWork(work);
    if (r.status === 'numerical' && requested === 'auto') {
      // Underflow or overflow of the scalings: continue in the log domain from the last finite potentials.
      method = 'log';
      for (let i = 0; i < nr; i++) if (!Number.isFinite(f[i])) f[i] = 0;
      for (let j = 0; j < mr; j++) if (!Number.isFinite(g[j])) g[j] = 0;
      state = { converged: false, numerical: false };
    }
  }
  const runLog = (stallBreak: boolean, epsScaling: boolean): void => {
    releaseKernelWork(last);
    last = null;
    const s = stabilizedSinkhorn(ar, br, Cr, nr, mr, reg, range, f, g, {
      tol, maxIter: Math.max(1, maxIter - iterations), checkEvery, overrelax, stallBreak, epsScaling, simd: useSimd,
    }, errors);
    iterations += s.iterations;
    kernelBuilds += s.absorptions;
    state = { converged: s.status === 'converged', numerical: s.status === 'numerical' };
    stalled = s.status === 'stalled';
    last = s.work;
    if (stalled) {
      releaseKernelWork(last);
      last = null;
    }
  };
  if (method === 'log') runLog(newtonOk, options.epsScaling ?? range / reg > EPS_SCALING_ABOVE);
  if (stalled) {
    // Sinkhorn contracts too slowly (rate close to 1): finish with Newton steps on the dual (small problems only).
    // Newton only takes steps that lower the error; if it still falls short, resume the iterations from there.
    const nt = newtonPolish(ar, br, Cr, nr, mr, reg, tol, f, g, errors);
    iterations += nt.steps;
    state = { converged: nt.converged, numerical: false };
    stalled = false;
    if (!nt.converged && iterations < maxIter) {
      method = 'log';
      runLog(false, false);
    }
  }

  // Final pass: value, marginals, optional plan.
  const plan = options.returnPlan ? new Float64Array(n * m) : null;
  const emit = plan ? (i: number, j: number, p: number): void => { plan[ka[i] * m + kb[j]] = p; } : null;
  const fin = last ? finalPassKernel(last, ar, br, Cr, reg, f, g, emit) : finalPassLog(ar, br, Cr, nr, mr, reg, f, g, emit);
  releaseKernelWork(last);
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
    kernelBuilds,
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
