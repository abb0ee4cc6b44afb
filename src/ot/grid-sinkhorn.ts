// Sinkhorn between densities on one Cartesian grid with its separable Gibbs kernel (grid.ts): the kernel form runs
// the one Sinkhorn loop of sinkhorn-kernel.ts (same stopping rule and over-relaxation as the dense solver), with a
// log-domain fallback (per-axis log-sum-exp) when a scaling under- or overflows.
import { OtInputError, checkSameMass, toWeights } from './errors';
import type { GibbsGridKernel } from './grid';
import { freshRelaxation, iterateKernel, relaxed } from './sinkhorn-kernel';
import type { ScalingState } from './sinkhorn-kernel';

export interface GridSinkhornOptions {
  readonly tol?: number;
  readonly maxIter?: number;
  readonly checkEvery?: number;
  /** 'auto' (default): kernel form, switching to the log domain if the scalings under- or overflow. */
  readonly method?: 'auto' | 'kernel' | 'log';
  /** Warm start: potentials (cost units) from a previous solve on the same grid. */
  readonly init?: { readonly f: Float64Array; readonly g: Float64Array };
  /** Kernel form: over-relaxed updates as in the dense sinkhorn() (default true; false: plain iterates). */
  readonly overrelax?: boolean;
}

export interface GridSinkhornResult {
  /** <P, C> with C the squared distance between cell centres. */
  readonly value: number;
  /** <P, C> + reg sum P (log P - 1). */
  readonly regValue: number;
  /** P_ij = exp((f_i + g_j - C_ij) / reg); zero-mass cells get the entropic c-transform. */
  readonly f: Float64Array;
  readonly g: Float64Array;
  readonly converged: boolean;
  readonly status: 'converged' | 'max_iter_reached' | 'numerical_error';
  readonly iterations: number;
  readonly errors: Float64Array;
  readonly rowError: number;
  readonly colError: number;
  readonly method: 'kernel' | 'log';
}

/** Entropic OT between masses a and b on the kernel's grid (same conventions and stopping rule as sinkhorn()). */
export function gridSinkhorn(a: ArrayLike<number>, b: ArrayLike<number>, kernel: GibbsGridKernel, options: GridSinkhornOptions = {}): GridSinkhornResult {
  const N = kernel.size;
  const wa = toWeights(a, N, 'a');
  const wb = toWeights(b, N, 'b');
  checkSameMass(wa, wb);
  const tol = options.tol ?? 1e-9;
  const maxIter = options.maxIter ?? 10000;
  const checkEvery = options.checkEvery ?? 1;
  if (!(tol >= 0)) throw new OtInputError('tol', `must be >= 0, got ${tol}`);
  if (!(maxIter >= 1) || !Number.isInteger(maxIter)) throw new OtInputError('maxIter', `must be an integer >= 1, got ${maxIter}`);
  if (!(checkEvery >= 1) || !Number.isInteger(checkEvery)) throw new OtInputError('checkEvery', `must be an integer >= 1, got ${checkEvery}`);
  const requested = options.method ?? 'auto';
  const errors: number[] = [];
  const f = new Float64Array(N);
  const g = new Float64Array(N);
  if (options.init) {
    if (options.init.f.length !== N) throw new OtInputError('init.f', `expected ${N} potentials, got ${options.init.f.length}`);
    if (options.init.g.length !== N) throw new OtInputError('init.g', `expected ${N} potentials, got ${options.init.g.length}`);
    f.set(options.init.f);
    g.set(options.init.g);
  }
  let iterations = 0;
  if (requested !== 'log') {
    const k = gridKernelIterations(wa, wb, kernel, tol, maxIter, checkEvery, options.overrelax ?? true, !!options.init, f, g, errors);
    iterations += k.iterations;
    if (!k.numerical || requested === 'kernel') {
      return freezeGrid(k.value, k.regValue, f, g, k.converged, k.numerical ? 'numerical_error' : k.converged ? 'converged' : 'max_iter_reached', iterations, errors, k.rowError, k.colError, 'kernel');
    }
    for (let i = 0; i < N; i++) {
      if (!Number.isFinite(f[i])) f[i] = 0;
      if (!Number.isFinite(g[i])) g[i] = 0;
    }
  }
  const l = gridLogIterations(wa, wb, kernel, tol, Math.max(1, maxIter - iterations), checkEvery, f, g, errors);
  iterations += l.iterations;
  return freezeGrid(l.value, l.regValue, f, g, l.converged, l.converged ? 'converged' : 'max_iter_reached', iterations, errors, l.rowError, l.colError, 'log');
}

function freezeGrid(
  value: number, regValue: number, f: Float64Array, g: Float64Array, converged: boolean, status: GridSinkhornResult['status'],
  iterations: number, errors: number[], rowError: number, colError: number, method: 'kernel' | 'log',
): GridSinkhornResult {
  return Object.freeze({ value, regValue, f, g, converged, status, iterations, errors: Float64Array.from(errors), rowError, colError, method });
}

interface GridRun {
  converged: boolean;
  numerical: boolean;
  iterations: number;
  value: number;
  regValue: number;
  rowError: number;
  colError: number;
}

function gridKernelIterations(
  a: Float64Array, b: Float64Array, K: GibbsGridKernel, tol: number, maxIter: number, checkEvery: number, overrelax: boolean,
  warm: boolean, f: Float64Array, g: Float64Array, errors: number[],
): GridRun {
  const N = K.size, reg = K.reg, ir = 1 / reg;
  const u = new Float64Array(N), v = new Float64Array(N), Ku = new Float64Array(N), Kv = new Float64Array(N);
  if (warm) {
    for (let i = 0; i < N; i++) {
      u[i] = a[i] > 0 ? Math.exp(f[i] * ir) : 0;
      v[i] = b[i] > 0 ? Math.exp(g[i] * ir) : 0;
    }
  } else {
    for (let i = 0; i < N; i++) u[i] = a[i] > 0 ? 1 : 0;
    for (let j = 0; j < N; j++) v[j] = b[j] > 0 ? 1 : 0;
  }
  K.apply(u, Ku);
  // The grid as a geometry of the one Sinkhorn loop: K is symmetric, so K^T u = K u; zero-mass cells keep 0.
  const state: ScalingState = {
    n: N, m: N, u, v, ktu: Ku, sv: Kv,
    pass: (aa, bb, w) => {
      let bad = false;
      for (let j = 0; j < N; j++) {
        if (!(bb[j] > 0)) continue;
        const t = relaxed(v[j], bb[j] / Ku[j], w);
        if (!(t > 0 && t < Infinity)) bad = true;
        v[j] = t;
      }
      K.apply(v, Kv);
      for (let i = 0; i < N; i++) {
        if (!(aa[i] > 0)) continue;
        const t = relaxed(u[i], aa[i] / Kv[i], w);
        if (!(t > 0 && t < Infinity)) bad = true;
        u[i] = t;
      }
      K.apply(u, Ku);
      return !bad;
    },
  };
  const run = iterateKernel(state, a, b, { tol, maxIter, checkEvery, overrelax, stallBreak: false, absorbAbove: Infinity }, freshRelaxation(), errors, errors.length);
  const it = run.iterations;
  const converged = run.status === 'converged';
  const numerical = run.status === 'numerical';
  if (numerical) {
    for (let i = 0; i < N; i++) {
      f[i] = reg * Math.log(u[i]);
      g[i] = reg * Math.log(v[i]);
    }
    return { converged, numerical, iterations: it, value: NaN, regValue: NaN, rowError: NaN, colError: NaN };
  }
  // Marginals r = u * K v, c = v * K u; value = u^T (K o C) v.
  K.apply(v, Kv);
  const KCv = new Float64Array(N);
  K.applyCost(v, KCv);
  let value = 0, total = 0, fr = 0, gc = 0, rowErr = 0, colErr = 0;
  for (let i = 0; i < N; i++) {
    value += u[i] * KCv[i];
    const r = u[i] * Kv[i];
    const c = v[i] * Ku[i];
    total += r;
    // Zero-mass cells: entropic c-transform (row or column sum 1).
    f[i] = a[i] > 0 ? reg * Math.log(u[i]) : -reg * Math.log(Kv[i]);
    g[i] = b[i] > 0 ? reg * Math.log(v[i]) : -reg * Math.log(Ku[i]);
    if (r > 0) fr += r * f[i];
    if (c > 0) gc += c * g[i];
    rowErr += (r - a[i]) * (r - a[i]);
    colErr += (c - b[i]) * (c - b[i]);
  }
  return { converged, numerical, iterations: it, value, regValue: fr + gc - reg * total, rowError: Math.sqrt(rowErr), colError: Math.sqrt(colErr) };
}

function gridLogIterations(
  a: Float64Array, b: Float64Array, K: GibbsGridKernel, tol: number, maxIter: number, checkEvery: number,
  f: Float64Array, g: Float64Array, errors: number[],
): GridRun {
  const N = K.size, reg = K.reg, ir = 1 / reg;
  const h = new Float64Array(N), L = new Float64Array(N);
  const loga = new Float64Array(N), logb = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    loga[i] = Math.log(a[i]);
    logb[i] = Math.log(b[i]);
    if (a[i] === 0) f[i] = -Infinity;
  }
  let converged = false, it = 0;
  for (;;) {
    for (let i = 0; i < N; i++) h[i] = f[i] * ir;
    K.applyLog(h, L); // L_j = log sum_i exp((f_i - C_ij) / reg)
    if (it > 0 && (it - 1) % checkEvery === 0) {
      let e = 0;
      for (let j = 0; j < N; j++) {
        const c = b[j] > 0 ? Math.exp(g[j] * ir + L[j]) : 0;
        e += (c - b[j]) * (c - b[j]);
      }
      e = Math.sqrt(e);
      errors.push(e);
      if (e < tol) {
        converged = true;
        break;
      }
    }
    if (it >= maxIter) break;
    for (let j = 0; j < N; j++) g[j] = reg * (logb[j] - L[j]);
    for (let j = 0; j < N; j++) h[j] = g[j] * ir;
    K.applyLog(h, L);
    for (let i = 0; i < N; i++) f[i] = reg * (loga[i] - L[i]);
    it++;
  }
  // Final quantities in the log domain.
  const Lf = new Float64Array(N), Lg = new Float64Array(N), LCg = new Float64Array(N);
  for (let i = 0; i < N; i++) h[i] = f[i] * ir;
  K.applyLog(h, Lf);
  for (let i = 0; i < N; i++) h[i] = g[i] * ir;
  K.applyLog(h, Lg);
  K.applyCostLog(h, LCg);
  let value = 0, total = 0, fr = 0, gc = 0, rowErr = 0, colErr = 0;
  for (let i = 0; i < N; i++) {
    const r = a[i] > 0 ? Math.exp(f[i] * ir + Lg[i]) : 0;
    const c = b[i] > 0 ? Math.exp(g[i] * ir + Lf[i]) : 0;
    if (a[i] > 0) value += Math.exp(f[i] * ir + LCg[i]);
    total += r;
    if (r > 0) fr += r * f[i];
    if (c > 0) gc += c * g[i];
    rowErr += (r - a[i]) * (r - a[i]);
    colErr += (c - b[i]) * (c - b[i]);
  }
  for (let i = 0; i < N; i++) {
    if (a[i] === 0) f[i] = -reg * Lg[i];
    if (b[i] === 0) g[i] = -reg * Lf[i];
  }
  return { converged, numerical: false, iterations: it, value, regValue: fr + gc - reg * total, rowError: Math.sqrt(rowErr), colError: Math.sqrt(colErr) };
}
