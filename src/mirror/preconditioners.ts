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

/** The scalar factor of grad h*(y) = c(|y|) y for r = |y| > 0: c(r) = (r^a + 1)^((1 - a)/a) r^(a - 2). */
export function hStarFactor(r: number, a: number): number {
  // written with logs so that r^a never overflows for huge |y|
  const la = a * Math.log(r);
  const log1p = la > 30 ? la : Math.log1p(Math.exp(la));
  return Math.exp(((1 - a) / a) * log1p + (a - 2) * Math.log(r));
}

/** out_i = grad h*(y_i) row-wise, Euclidean norm |y_i|; grad h*(0) = 0 (the limit for a > 1). */
export function applyHStarRows(a: number, y: Float64Array, n: number, d: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let s = 0;
    for (let c = 0; c < d; c++) s += y[o + c] * y[o + c];
    let r = Math.sqrt(s);
    if (!(s > 1e-280 && s < 1e280)) {
      // rescaled norm: the squares overflow or underflow
      let mx = 0;
      for (let c = 0; c < d; c++) mx = Math.max(mx, Math.abs(y[o + c]));
      let t = 0;
      if (mx > 0 && Number.isFinite(mx)) for (let c = 0; c < d; c++) t += (y[o + c] / mx) ** 2;
      r = mx > 0 && Number.isFinite(mx) ? mx * Math.sqrt(t) : mx;
    }
    const f = r === 0 ? 0 : hStarFactor(r, a);
    for (let c = 0; c < d; c++) out[o + c] = f * y[o + c];
  }
}
