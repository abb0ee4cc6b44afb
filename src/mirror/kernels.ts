// Interaction kernels of the form K(z) = f(q), q = z^T A z, f(q) = alpha q^2 + beta q, A symmetric positive definite
// (Bonet, Uscidda, David, Aubin-Frankowski & Korba, Mirror and Preconditioned Gradient Descent in Wasserstein Space,
// NeurIPS 2024, Sec. 6.1): the energy W(z) = q^2/4 - q/2 with A = Sigma^-1, and the mirror potentials
// K2 = |z|^2/2, K2_Sigma = z^T Sigma^-1 z / 2, K4 = |z|^4/4 + |z|^2/2, K4_Sigma = q^2/4 + q/2.
// grad K(z) = g(q) A z with g = 2 f'(q) = 4 alpha q + 2 beta; Hess K(z) = g(q) A + 8 alpha (A z)(A z)^T.
// Particle sums run over all ordered pairs (i, j), the diagonal included (K(0) = 0, grad K(0) = 0).

export interface PairKernel {
  readonly d: number;
  /** A, row-major d x d, symmetric positive definite. */
  readonly A: Float64Array;
  readonly alpha: number;
  readonly beta: number;
}

export function pairKernel(A: ArrayLike<number>, d: number, alpha: number, beta: number): PairKernel {
  if (A.length !== d * d) throw new RangeError(`pairKernel: A has ${A.length} entries, expected ${d * d}`);
  return { d, A: Float64Array.from(A), alpha, beta };
}

export const identityMatrix = (d: number): Float64Array => {
  const I = new Float64Array(d * d);
  for (let i = 0; i < d; i++) I[i * d + i] = 1;
  return I;
};

/** Row-wise A x_i for n points (A symmetric): out (n x d). */
export function applyRows(A: Float64Array, x: Float64Array, n: number, d: number, out: Float64Array = new Float64Array(n * d)): Float64Array {
  if (d === 1) {
    const a = A[0];
    for (let i = 0; i < n; i++) out[i] = a * x[i];
    return out;
  }
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let r = 0; r < d; r++) {
      let s = 0;
      const ar = r * d;
      for (let c = 0; c < d; c++) s += A[ar + c] * x[o + c];
      out[o + r] = s;
    }
  }
  return out;
}

/** mean over all n^2 ordered pairs of K(x_i - x_j) (weights w_i w_j when given). */
export function pairEnergy(ker: PairKernel, x: Float64Array, n: number, w: Float64Array | null = null): number {
  const { d, alpha, beta } = ker;
  const Ax = applyRows(ker.A, x, n, d);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    let si = 0;
    for (let j = i + 1; j < n; j++) {
      const oj = j * d;
      let q = 0;
      for (let c = 0; c < d; c++) q += (x[oi + c] - x[oj + c]) * (Ax[oi + c] - Ax[oj + c]);
      const f = (alpha * q + beta) * q;
      si += w ? w[j] * f : f;
    }
    s += w ? w[i] * si : si;
  }
  // each unordered pair counted twice in the ordered mean
  return w ? 2 * s : (2 * s) / (n * n);
}

/**
 * out_a = sum_j w_j grad K(at_a - x_j) (w_j = 1/n when w is null): the Wasserstein gradient of
 * (1/2) int int K(x - y) dmu dmu at the points `at` (nAt x d).
 */
export function convolveGrad(ker: PairKernel, x: Float64Array, n: number, w: Float64Array | null, at: Float64Array, nAt: number, out: Float64Array): void {
  const { d, alpha, beta, A } = ker;
  const Ax = applyRows(A, x, n, d);
  const Aa = applyRows(A, at, nAt, d);
  const inv = 1 / n;
  for (let a = 0; a < nAt; a++) {
    const oa = a * d;
    for (let c = 0; c < d; c++) out[oa + c] = 0;
    for (let j = 0; j < n; j++) {
      const oj = j * d;
      let q = 0;
      for (let c = 0; c < d; c++) q += (at[oa + c] - x[oj + c]) * (Aa[oa + c] - Ax[oj + c]);
      const g = (4 * alpha * q + 2 * beta) * (w ? w[j] : inv);
      for (let c = 0; c < d; c++) out[oa + c] += g * (Aa[oa + c] - Ax[oj + c]);
    }
  }
}

/**
 * The same gradient at the particles themselves (at = x, uniform weights), using the pair symmetry:
 * out_i = (1/n) sum_j g(q_ij) A (x_i - x_j). Ax = A x_i row-wise (precomputed by the caller).
 */
export function selfGrad(ker: PairKernel, x: Float64Array, Ax: Float64Array, n: number, out: Float64Array): void {
  const { d, alpha, beta } = ker;
  out.fill(0, 0, n * d);
  const inv = 1 / n;
  const a4 = 4 * alpha;
  const b2 = 2 * beta;
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = i + 1; j < n; j++) {
      const oj = j * d;
      let q = 0;
      for (let c = 0; c < d; c++) q += (x[oi + c] - x[oj + c]) * (Ax[oi + c] - Ax[oj + c]);
      const g = (a4 * q + b2) * inv;
      for (let c = 0; c < d; c++) {
        const v = g * (Ax[oi + c] - Ax[oj + c]);
        out[oi + c] += v;
        out[oj + c] -= v;
      }
    }
  }
}
