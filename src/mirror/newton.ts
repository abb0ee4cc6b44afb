// Newton's method for the implicit mirror step of Bonet et al. 2024 (NeurIPS, Sec. 4, eq. 8 with an interaction
// potential phi(mu) = (1/2) int int K(x - y) dmu dmu): find y (n x d) with
//   G(y)_i = (1/n) sum_j grad K(y_i - y_j) = b_i.
// The Jacobian is J v_i = (1/n) sum_j H_ij (v_i - v_j), H_ij = Hess K(y_i - y_j): a block graph Laplacian of the
// complete graph with symmetric positive semi-definite edge weights. It is symmetric, singular only along
// translations (v_i = c for all i), and b sums to zero, so each Newton system is solved by conjugate gradients in
// the zero-mean subspace, matrix-free (O(n^2 d) per product through A y_i - A y_j, never the (nd)^2 matrix), with
// the block-diagonal preconditioner D_i = (1/n) sum_j H_ij. The mean of y is kept (the energy is translation
// invariant). Stopping rule as in the authors' code: Newton step norm <= tol, at most maxIter steps.
import { applyRows, selfGrad, type PairKernel } from './kernels';

export interface NewtonOptions {
  /** Stop when the Euclidean norm of the Newton step (all n x d coordinates) is <= tol. */
  readonly tol: number;
  readonly maxIter: number;
  /** Inner CG stops when the residual drops by this factor (default 1e-10). */
  readonly cgRelTol?: number;
  readonly cgMaxIter?: number;
}

export interface NewtonResult {
  readonly iterations: number;
  readonly converged: boolean;
  /** |G(y) - b| (Euclidean norm over all coordinates) at the returned y. */
  readonly residual: number;
  readonly lastStepNorm: number;
  readonly cgIterations: number;
}

export interface NewtonWork {
  readonly Ay: Float64Array; readonly R: Float64Array; readonly s: Float64Array; readonly r: Float64Array;
  readonly z: Float64Array; readonly p: Float64Array; readonly Jp: Float64Array; readonly Ap: Float64Array;
  readonly Dinv: Float64Array;
}

export function newtonWork(n: number, d: number): NewtonWork {
  const v = () => new Float64Array(n * d);
  return { Ay: v(), R: v(), s: v(), r: v(), z: v(), p: v(), Jp: v(), Ap: v(), Dinv: new Float64Array(n * d * d) };
}

const norm = (v: Float64Array, len: number): number => {
  let s = 0;
  for (let i = 0; i < len; i++) s += v[i] * v[i];
  return Math.sqrt(s);
};

function centre(v: Float64Array, n: number, d: number): void {
  for (let c = 0; c < d; c++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += v[i * d + c];
    m /= n;
    for (let i = 0; i < n; i++) v[i * d + c] -= m;
  }
}

/** out = J v at y (Ay = A y row-wise, Av = A v row-wise). */
export function jacobianTimes(ker: PairKernel, y: Float64Array, Ay: Float64Array, v: Float64Array, Av: Float64Array, n: number, out: Float64Array): void {
  const { d, alpha, beta } = ker;
  out.fill(0, 0, n * d);
  const inv = 1 / n;
  const a4 = 4 * alpha;
  const b2 = 2 * beta;
  const a8 = 8 * alpha;
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = i + 1; j < n; j++) {
      const oj = j * d;
      let q = 0;
      let azu = 0;
      for (let c = 0; c < d; c++) {
        const az = Ay[oi + c] - Ay[oj + c];
        q += (y[oi + c] - y[oj + c]) * az;
        azu += az * (v[oi + c] - v[oj + c]);
      }
      const g = (a4 * q + b2) * inv;
      const h = a8 * azu * inv;
      for (let c = 0; c < d; c++) {
        const t = g * (Av[oi + c] - Av[oj + c]) + h * (Ay[oi + c] - Ay[oj + c]);
        out[oi + c] += t;
        out[oj + c] -= t;
      }
    }
  }
}

/** In-place inverse of a small SPD matrix (Gauss-Jordan without pivoting); false if a pivot is not positive. */
function invertSpdInPlace(m: Float64Array, off: number, d: number, tmp: Float64Array): boolean {
  for (let i = 0; i < d * d; i++) tmp[i] = m[off + i];
  for (let i = 0; i < d * d; i++) m[off + i] = 0;
  for (let i = 0; i < d; i++) m[off + i * d + i] = 1;
  for (let k = 0; k < d; k++) {
    const piv = tmp[k * d + k];
    if (!(piv > 0)) return false;
    for (let c = 0; c < d; c++) { tmp[k * d + c] /= piv; m[off + k * d + c] /= piv; }
    for (let r = 0; r < d; r++) {
      if (r === k) continue;
      const f = tmp[r * d + k];
      if (f === 0) continue;
      for (let c = 0; c < d; c++) { tmp[r * d + c] -= f * tmp[k * d + c]; m[off + r * d + c] -= f * m[off + k * d + c]; }
    }
  }
  return true;
}

/** Block-diagonal preconditioner D_i^-1, D_i = (1/n) sum_j H_ij; identity blocks where D_i is not positive definite. */
function blockJacobi(ker: PairKernel, y: Float64Array, Ay: Float64Array, n: number, Dinv: Float64Array): void {
  const { d, alpha, beta, A } = ker;
  const dd = d * d;
  Dinv.fill(0, 0, n * dd);
  const inv = 1 / n;
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    const ob = i * dd;
    let gs = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const oj = j * d;
      let q = 0;
      for (let c = 0; c < d; c++) q += (y[oi + c] - y[oj + c]) * (Ay[oi + c] - Ay[oj + c]);
      gs += 4 * alpha * q + 2 * beta;
      if (alpha !== 0) {
        for (let r = 0; r < d; r++) {
          const ar = Ay[oi + r] - Ay[oj + r];
          for (let c = 0; c < d; c++) Dinv[ob + r * d + c] += 8 * alpha * ar * (Ay[oi + c] - Ay[oj + c]);
        }
      }
    }
    for (let k = 0; k < dd; k++) Dinv[ob + k] = (Dinv[ob + k] + gs * A[k]) * inv;
  }
  const tmp = new Float64Array(dd);
  for (let i = 0; i < n; i++) {
    if (!invertSpdInPlace(Dinv, i * dd, d, tmp)) {
      for (let k = 0; k < dd; k++) Dinv[i * dd + k] = 0;
      for (let r = 0; r < d; r++) Dinv[i * dd + r * d + r] = 1;
    }
  }
}

function applyBlocks(Dinv: Float64Array, r: Float64Array, n: number, d: number, out: Float64Array): void {
  const dd = d * d;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += Dinv[i * dd + a * d + c] * r[o + c];
      out[o + a] = s;
    }
  }
}

/** The residual G(y) - b into R; returns its norm. */
export function mirrorResidual(ker: PairKernel, y: Float64Array, b: Float64Array, n: number, Ay: Float64Array, R: Float64Array): number {
  const d = ker.d;
  applyRows(ker.A, y, n, d, Ay);
  selfGrad(ker, y, Ay, n, R);
  for (let k = 0; k < n * d; k++) R[k] -= b[k];
  return norm(R, n * d);
}

/** Solves G(y) = b by Newton-CG from the y given (warm start, overwritten with the answer). */
export function solveMirrorStep(ker: PairKernel, b: Float64Array, y: Float64Array, n: number, opt: NewtonOptions, w: NewtonWork = newtonWork(n, ker.d)): NewtonResult {
  const d = ker.d;
  const len = n * d;
  const cgRel = opt.cgRelTol ?? 1e-10;
  const cgMax = opt.cgMaxIter ?? Math.min(500, Math.max(20, len));
  const { Ay, R, s, r, z, p, Jp, Ap, Dinv } = w;
  let res = mirrorResidual(ker, y, b, n, Ay, R);
  let it = 0;
  let step = Infinity;
  let cgTotal = 0;
  let converged = false;
  while (it < opt.maxIter && Number.isFinite(res)) {
    // J s = -R by preconditioned CG in the zero-mean subspace
    blockJacobi(ker, y, Ay, n, Dinv);
    for (let k = 0; k < len; k++) { s[k] = 0; r[k] = -R[k]; }
    centre(r, n, d);
    applyBlocks(Dinv, r, n, d, z);
    centre(z, n, d);
    p.set(z.subarray(0, len));
    let rz = 0;
    for (let k = 0; k < len; k++) rz += r[k] * z[k];
    const r0 = norm(r, len);
    let rn = r0;
    for (let cg = 0; cg < cgMax && rn > cgRel * r0 && rn > 0; cg++) {
      cgTotal++;
      applyRows(ker.A, p, n, d, Ap);
      jacobianTimes(ker, y, Ay, p, Ap, n, Jp);
      let pJp = 0;
      for (let k = 0; k < len; k++) pJp += p[k] * Jp[k];
      if (!(pJp > 0)) break;
      const a = rz / pJp;
      for (let k = 0; k < len; k++) { s[k] += a * p[k]; r[k] -= a * Jp[k]; }
      centre(r, n, d);
      rn = norm(r, len);
      applyBlocks(Dinv, r, n, d, z);
      centre(z, n, d);
      let rzNew = 0;
      for (let k = 0; k < len; k++) rzNew += r[k] * z[k];
      const beta = rzNew / rz;
      rz = rzNew;
      for (let k = 0; k < len; k++) p[k] = z[k] + beta * p[k];
    }
    for (let k = 0; k < len; k++) y[k] += s[k];
    it++;
    step = norm(s, len);
    res = mirrorResidual(ker, y, b, n, Ay, R);
    if (!Number.isFinite(step)) break;
    if (step <= opt.tol) {
      converged = true;
      break;
    }
  }
  return { iterations: it, converged: converged && Number.isFinite(res), residual: res, lastStepNorm: step, cgIterations: cgTotal };
}
