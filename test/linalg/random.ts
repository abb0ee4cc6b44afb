// Deterministic random matrices for the linear-algebra and Gaussian tests.

/** Mulberry32: a small seeded PRNG returning uniforms in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box–Muller. */
export function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Random symmetric n x n with N(0, 1) entries. */
export function randomSymmetric(r: () => number, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = normal(r);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** Random orthogonal n x n by Gram–Schmidt (twice) of a Gaussian matrix. */
export function randomOrthogonal(r: () => number, n: number): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) q[i] = normal(r);
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += q[i * n + k] * q[j * n + k];
        for (let k = 0; k < n; k++) q[i * n + k] -= dot * q[j * n + k];
      }
      let norm = 0;
      for (let k = 0; k < n; k++) norm += q[i * n + k] ** 2;
      norm = Math.sqrt(norm);
      for (let k = 0; k < n; k++) q[i * n + k] /= norm;
    }
  }
  return q;
}

/** Q^T diag(values) Q for the orthogonal Q (rows orthonormal): a symmetric matrix with exactly these eigenvalues. */
export function withSpectrum(q: Float64Array, values: ArrayLike<number>, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[k * n + i] * values[k] * q[k * n + j];
      a[i * n + j] = s;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i];
  return a;
}

/** Random SPD matrix X X^T / n + eps I. */
export function randomSpd(r: () => number, n: number, eps = 0.1, scale = 1): Float64Array {
  const x = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) x[i] = normal(r) * scale;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += x[i * n + k] * x[j * n + k];
      a[i * n + j] = s / n;
      a[j * n + i] = s / n;
    }
    a[i * n + i] += eps;
  }
  return a;
}

/** Naive triple-loop product (independent of the library's matmul). */
export function naiveMatmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
    out[i * n + j] = s;
  }
  return out;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export const flat = (m: number[][]): Float64Array => Float64Array.from(m.flat());
export const nested = (a: ArrayLike<number>, n: number): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => a[i * n + j]));
