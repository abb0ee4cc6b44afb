// The Gibbs kernel K = exp(-|x - y|^2 / gamma) of a Cartesian grid with scalings absorbed into potentials that are
// sums of 1-D functions (the stabilization of Schmitzer, SIAM J. Sci. Comput. 2019, §3.1, restricted to separable
// potentials so that the kernel stays a tensor product): Kt = (x)_d Kt_d, Kt_d(i, j) = exp(al_d(i) + be_d(j) - (x_i - x_j)^2 / gamma).
// Each 1-D factor is a dense n_d x n_d matrix with the band of entries that did not underflow; the N x N matrix
// is never formed. apply(x) = Kt x (sum over the b-side index j), applyT(x) = Kt^T x.
export interface AbsorbedKernel {
  readonly size: number;
  /** Per-axis potentials (logs) absorbed on the a side (al) and the b side (be). */
  readonly al: readonly Float64Array[];
  readonly be: readonly Float64Array[];
  /** Rebuilds the 1-D factors after al / be changed; false when an entry overflowed. */
  rebuild(): boolean;
  /** The relative cut of the bands (see absorbedKernel); takes effect at the next rebuild. */
  relCut: number;
  apply(x: Float64Array, out: Float64Array): void;
  applyT(x: Float64Array, out: Float64Array): void;
  /** out[i] = sum_d pot_d(i_d) over the cells (row-major). */
  expand(pot: readonly Float64Array[], out: Float64Array): void;
}

interface Factor { M: Float64Array; MT: Float64Array; lo: Int32Array; hi: Int32Array; loT: Int32Array; hiT: Int32Array }

/**
 * relCut > 0 drops the entries of each row of a 1-D factor below relCut x the row's largest entry (the caller
 * chooses it from the range it keeps the scalings in, so that what is dropped is below round-off); 0 keeps every
 * entry that did not underflow.
 */
export function absorbedKernel(shape: readonly number[], spacing: readonly number[], gamma: number, relCut = 0): AbsorbedKernel {
  const dims = shape.length;
  const size = shape.reduce((p, s) => p * s, 1);
  const al = shape.map((n) => new Float64Array(n));
  const be = shape.map((n) => new Float64Array(n));
  const factors: Factor[] = shape.map((n) => ({
    M: new Float64Array(n * n), MT: new Float64Array(n * n),
    lo: new Int32Array(n), hi: new Int32Array(n), loT: new Int32Array(n), hiT: new Int32Array(n),
  }));
  const tmpA = new Float64Array(size), tmpB = new Float64Array(size);

  function rebuild(): boolean {
    for (let d = 0; d < dims; d++) {
      const n = shape[d], h = spacing[d], f = factors[d], a = al[d], b = be[d];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const dx = (i - j) * h;
          const v = Math.exp(a[i] + b[j] - (dx * dx) / gamma);
          if (v === Infinity || Number.isNaN(v)) return false;
          f.M[i * n + j] = v;
          f.MT[j * n + i] = v;
        }
      }
      band(f.M, n, f.lo, f.hi, self.relCut);
      band(f.MT, n, f.loT, f.hiT, self.relCut);
    }
    return true;
  }

  function run(x: Float64Array, out: Float64Array, transposed: boolean): void {
    if (dims === 1) { pass(x, out, factors[0], transposed, 1, shape[0], 1); return; }
    let src = x;
    let inner = size;
    let outer = 1;
    for (let d = 0; d < dims; d++) {
      const n = shape[d];
      inner = (inner / n) | 0;
      const dst = d === dims - 1 ? out : d % 2 === 0 ? tmpA : tmpB;
      pass(src, dst, factors[d], transposed, outer, n, inner);
      src = dst;
      outer *= n;
    }
  }

  const self: AbsorbedKernel = {
    size, al, be, rebuild, relCut,
    apply: (x, out) => run(x, out, false),
    applyT: (x, out) => run(x, out, true),
    expand(pot, out) {
      for (let idx = 0; idx < size; idx++) {
        let rest = idx, s = 0;
        for (let d = dims - 1; d >= 0; d--) { s += pot[d][rest % shape[d]]; rest = (rest / shape[d]) | 0; }
        out[idx] = s;
      }
    },
  };
  rebuild();
  return self;
}

function band(M: Float64Array, n: number, lo: Int32Array, hi: Int32Array, relCut: number): void {
  for (let i = 0; i < n; i++) {
    let mx = 0;
    for (let j = 0; j < n; j++) if (M[i * n + j] > mx) mx = M[i * n + j];
    const cut = mx * relCut;
    let l = 0, r = n - 1;
    while (l < n && M[i * n + l] <= cut && !(M[i * n + l] > 0 && cut === 0)) l++;
    while (r > l && M[i * n + r] <= cut && !(M[i * n + r] > 0 && cut === 0)) r--;
    lo[i] = l;
    hi[i] = l < n ? r : -1;
  }
}

/** dst[o, p, t] = sum_q F[p, q] src[o, q, t] over the band of row p. */
function pass(src: Float64Array, dst: Float64Array, f: Factor, transposed: boolean, outer: number, len: number, inner: number): void {
  const M = transposed ? f.MT : f.M, lo = transposed ? f.loT : f.lo, hi = transposed ? f.hiT : f.hi;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * len;
      for (let p = 0; p < len; p++) {
        const row = p * len;
        let s0 = 0, s1 = 0;
        let q = lo[p];
        const e = hi[p];
        for (; q + 1 <= e; q += 2) { s0 += M[row + q] * src[base + q]; s1 += M[row + q + 1] * src[base + q + 1]; }
        if (q <= e) s0 += M[row + q] * src[base + q];
        dst[base + p] = s0 + s1;
      }
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    for (let p = 0; p < len; p++) {
      const d0 = (o * len + p) * inner;
      for (let t = 0; t < inner; t++) dst[d0 + t] = 0;
      const row = p * len;
      for (let q = lo[p]; q <= hi[p]; q++) {
        const w = M[row + q];
        const s0 = (o * len + q) * inner;
        for (let t = 0; t < inner; t++) dst[d0 + t] += w * src[s0 + t];
      }
    }
  }
}
