// The explicit Wasserstein (forward Euler) step on a grid, used to warm-start JKO inner solvers away from the kink
// of W2^2(., p_k) at p_k: mass of cell i moves to x_i - tau grad_x phi(x_i), phi = dF/dp on the grid (central
// differences), deposited on the neighbouring cells by multilinear (cloud-in-cell) weights; mass is conserved.
export function pushForward(shape: readonly number[], spacing: readonly number[], p: Float64Array, phi: Float64Array, tau: number, out: Float64Array): void {
  const dims = shape.length, N = p.length;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  out.fill(0);
  const idx = new Int32Array(dims), base = new Int32Array(dims), frac = new Float64Array(dims);
  for (let i = 0; i < N; i++) {
    if (!(p[i] > 0)) continue;
    let rest = i;
    for (let d = 0; d < dims; d++) { idx[d] = Math.floor(rest / strides[d]); rest -= idx[d] * strides[d]; }
    for (let d = 0; d < dims; d++) {
      const lo = idx[d] > 0 ? i - strides[d] : i, hi = idx[d] < shape[d] - 1 ? i + strides[d] : i;
      const g = (phi[hi] - phi[lo]) / (((hi - lo) / strides[d]) * spacing[d] || 1);
      // position in cell units, clamped to the grid
      const pos = Math.min(shape[d] - 1, Math.max(0, idx[d] - (tau * g) / spacing[d]));
      base[d] = Math.min(shape[d] - 2, Math.floor(pos));
      if (shape[d] === 1) { base[d] = 0; frac[d] = 0; } else frac[d] = pos - base[d];
    }
    for (let corner = 0; corner < 1 << dims; corner++) {
      let w = p[i], j = 0;
      for (let d = 0; d < dims; d++) {
        const up = (corner >> d) & 1;
        w *= up ? frac[d] : 1 - frac[d];
        j += (base[d] + up) * strides[d];
      }
      if (w > 0) out[j] += w;
    }
  }
}
