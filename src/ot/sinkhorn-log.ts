// Stabilized Sinkhorn for any reg > 0 (Schmitzer 2019, "Stabilized sparse scaling algorithms for entropy regularized
// transport problems", Algorithm 2; POT's sinkhorn_stabilized): potentials (f, g) in cost units carry the large part
// of the scalings, the kernel K_ij = exp((f_i + g_j - C_ij) / reg) is rebuilt only when a scaling leaves
// [e^-B, e^B] and is then absorbed (f += reg log u, g += reg log v, u = v = 1). Between absorptions the iterations
// are plain kernel iterations (no exponential per entry), optionally over-relaxed; epsilon scaling solves a
// decreasing sequence of regularizations down to reg, each stage warm-starting the next.
import { totalMass } from './errors';
import type { IterateStatus, KernelWork, Relaxation } from './sinkhorn-kernel';
import { createKernelWork, fillKernel, fillKtu, freshRelaxation, iterateKernel } from './sinkhorn-kernel';

/** Absorb when a scaling leaves [e^-B, e^B]; e^115 ~ 1e50 keeps u K v far from overflow with kernels <= 1. */
const ABSORB_BOUND = 115;

export interface StabilizedOptions {
  readonly tol: number;
  readonly maxIter: number;
  readonly checkEvery: number;
  readonly overrelax: boolean;
  readonly stallBreak: boolean;
  readonly epsScaling: boolean;
  readonly simd: boolean;
}

export interface StabilizedResult {
  readonly status: IterateStatus;
  readonly iterations: number;
  /** Kernel rebuilds (initial one, absorptions, epsilon stages). */
  readonly absorptions: number;
  /** The kernel and scalings of the last iterate, for the final pass (P = diag(u) K diag(v)). */
  readonly work: KernelWork;
}

/**
 * Runs on (f, g) in place (warm start or zeros) and leaves f, g with the scalings absorbed: P_ij = exp((f_i + g_j -
 * C_ij) / reg) up to the kernel's clamping of entries below 3e-308.
 */
export function stabilizedSinkhorn(
  a: Float64Array, b: Float64Array, C: Float64Array, n: number, m: number, reg: number, range: number,
  f: Float64Array, g: Float64Array, opts: StabilizedOptions, errors: number[],
): StabilizedResult {
  const work = createKernelWork(n, m, opts.simd);
  let iterations = 0;
  let absorptions = 0;
  let status: IterateStatus = 'max_iter';
  const firstCheck = errors.length;
  // Stages: reg_k = max(reg, range / 2^k) when epsilon scaling, else reg alone; looser tolerance before the last.
  const stages: number[] = [];
  if (opts.epsScaling && range > 0) for (let e = Math.max(reg, range); e > reg * 1.0000001; e /= 2) stages.push(e);
  stages.push(reg);
  const stageTol = Math.max(opts.tol, 1e-4 * Math.sqrt(totalMass(b)));
  let relax: Relaxation = freshRelaxation();
  for (let s = 0; s < stages.length; s++) {
    const eps = stages[s];
    const last = s === stages.length - 1;
    // Exact log-domain half steps (c-transforms) make every column, then every row, carry its mass, so that no
    // row of the rebuilt kernel underflows entirely, whatever the warm start.
    if (s === 0) {
      logUpdate(C, n, m, eps, f, b, g, true);
      logUpdate(C, n, m, eps, g, a, f, false);
    }
    relax = freshRelaxation();
    let numericalInARow = 0;
    let stageIterations = 0;
    for (;;) {
      rebuild(work, C, eps, f, g);
      absorptions++;
      const budget = last ? opts.maxIter - iterations : Math.min(200 - stageIterations, opts.maxIter - iterations - 1);
      if (budget <= 0) break;
      const r = iterateKernel(work, a, b, {
        tol: last ? opts.tol : stageTol, maxIter: budget, checkEvery: opts.checkEvery,
        overrelax: opts.overrelax, stallBreak: last && opts.stallBreak, absorbAbove: ABSORB_BOUND,
      }, relax, errors, firstCheck);
      iterations += r.iterations;
      stageIterations += r.iterations;
      status = r.status;
      if (r.status !== 'absorb' && r.status !== 'numerical') break;
      // Absorb the scalings (the last finite ones after a numerical failure) and rebuild.
      numericalInARow = r.status === 'numerical' ? numericalInARow + 1 : 0;
      if (numericalInARow >= 3) break;
      absorb(work, eps, f, g);
      if (r.status === 'numerical') relax = freshRelaxation();
    }
    if (!last) {
      absorb(work, eps, f, g);
      if (iterations >= opts.maxIter - 1) {
        // Out of iterations before the last stage: report the plan at reg from the current potentials.
        rebuild(work, C, reg, f, g);
        status = 'max_iter';
        break;
      }
    }
  }
  // f, g carry the full potentials; the kernel and scalings stay for the final pass.
  const { u, v } = work;
  for (let i = 0; i < n; i++) f[i] += reg * Math.log(u[i]);
  for (let j = 0; j < m; j++) g[j] += reg * Math.log(v[j]);
  return { status, iterations, absorptions, work };
}

/** f += eps log u, g += eps log v, then u = v = 1. */
function absorb(work: KernelWork, eps: number, f: Float64Array, g: Float64Array): void {
  const { u, v } = work;
  for (let i = 0; i < u.length; i++) f[i] += eps * Math.log(u[i]);
  for (let j = 0; j < v.length; j++) g[j] += eps * Math.log(v[j]);
}

/** K = exp((f_i + g_j - C_ij) / eps) with the largest exponent shifted to <= 0 (the shift moves into f), u = v = 1. */
function rebuild(work: KernelWork, C: Float64Array, eps: number, f: Float64Array, g: Float64Array): void {
  const { n, m } = work;
  let top = -Infinity;
  for (let i = 0; i < n; i++) {
    const row = i * m, fi = f[i];
    let mx = -Infinity;
    for (let j = 0; j < m; j++) {
      const t = g[j] - C[row + j];
      if (t > mx) mx = t;
    }
    if (fi + mx > top) top = fi + mx;
  }
  if (top > 0) for (let i = 0; i < n; i++) f[i] -= top;
  fillKernel(work, C, -1 / eps, 0, f, g);
  work.u.fill(1);
  work.v.fill(1);
  fillKtu(work);
}

/**
 * Exact log-domain update of one side: out_k = eps log w_k - eps log sum_l exp((p_l - C_kl) / eps) where k runs over
 * columns (cols = true, p = f over rows) or rows (p = g over columns). One pass, a running max per target.
 */
export function logUpdate(C: Float64Array, n: number, m: number, eps: number, p: Float64Array, w: Float64Array, out: Float64Array, cols: boolean): void {
  const ir = 1 / eps;
  if (cols) {
    const mx = new Float64Array(m).fill(-Infinity);
    const acc = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      const row = i * m, pi = p[i];
      for (let j = 0; j < m; j++) {
        const t = (pi - C[row + j]) * ir;
        const mj = mx[j];
        if (t > mj) {
          acc[j] = acc[j] * Math.exp(mj - t) + 1;
          mx[j] = t;
        } else {
          acc[j] += Math.exp(t - mj);
        }
      }
    }
    for (let j = 0; j < m; j++) out[j] = eps * (Math.log(w[j]) - mx[j] - Math.log(acc[j]));
    return;
  }
  for (let i = 0; i < n; i++) {
    const row = i * m;
    let mx = -Infinity;
    for (let j = 0; j < m; j++) {
      const t = p[j] - C[row + j];
      if (t > mx) mx = t;
    }
    let s = 0;
    for (let j = 0; j < m; j++) s += Math.exp((p[j] - C[row + j] - mx) * ir);
    out[i] = eps * Math.log(w[i]) - mx - eps * Math.log(s);
  }
}

/** One pass over P_ij = exp((f_i + g_j - C_ij) / reg): <P,C>, regularized cost, marginal errors, optional plan. */
export function finalPassLog(
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
