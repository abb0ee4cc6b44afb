// Preconditioners of the Wasserstein gradient (Bonet et al., NeurIPS 2024, Sec. 5, preconditioned GD
// x <- x - tau grad h*(grad_W F(mu)(x))): a constant SPD matrix P (h*(y) = y^T P y / 2), and
// h*(y) = (|y|^a + 1)^(1/a) - 1 with grad h*(y) = (|y|^a + 1)^((1 - a)/a) |y|^(a - 2) y (Sec. 6.3).

/** out_i = P y_i for n rows (P symmetric d x d). */
export function applyMatrixRows(P: Float64Array, y: Float64Array, n: number, d: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let r = 0; r < d; r++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += P[r * d + c] * y[o + c];
      out[o + r] = s;
    }
  }
}

/** The scalar factor of grad h*(y) = c(|y|) y: c(r) = (r^a + 1)^((1 - a)/a) r^(a - 2) (at r = 0 the product c(r) y is 0 for a > 1). */
export function hStarFactor(r: number, a: number): number {
  if (r === 0) return a === 2 ? 1 : a > 2 ? 0 : Infinity;
  // written as exp of logs so that r^a never overflows for huge |y|
  const la = a * Math.log(r);
  const log1p = la > 30 ? la : Math.log1p(Math.exp(la));
  return Math.exp(((1 - a) / a) * log1p + (a - 2) * Math.log(r));
}

/** out_i = grad h*(y_i) row-wise, Euclidean norm |y_i|; grad h*(0) = 0. */
export function applyHStarRows(a: number, y: Float64Array, n: number, d: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let s = 0;
    for (let c = 0; c < d; c++) s += y[o + c] * y[o + c];
    const r = Math.sqrt(s);
    const f = r === 0 ? 0 : hStarFactor(r, a);
    for (let c = 0; c < d; c++) out[o + c] = f * y[o + c];
  }
}
