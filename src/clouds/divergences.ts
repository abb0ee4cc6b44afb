// Wasserstein gradients of discrepancies between a particle cloud mu (n points, uniform weights) and a target cloud
// nu (m points, uniform weights), for distribution matching (Bonet et al., NeurIPS 2024, Sec. 6.3):
// - sliced W2^2 (Rabin, Peyre, Delon & Bernot 2011), the mean over directions theta of W2^2 of the projections: the
//   gradient at x_i is (2/L) sum_theta (theta.x_i - ybar_i(theta)) theta, ybar_i the mean of nu's quantile function
//   over x_i's quantile interval [r/n, (r+1)/n) (r its rank along theta), exact for n != m;
// - the Sinkhorn divergence S(mu, nu) = OT(mu, nu) - OT(mu, mu)/2 - OT(nu, nu)/2, squared Euclidean cost (Feydy et al.
//   2019): gradient grad f_{mu,nu}(x) - grad f_{mu,mu}(x), grad f(x) = sum_j softmax_j((g_j - |x - y_j|^2)/eps) 2 (x - y_j);
// - the energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| (Szekely & Rizzo 2013): gradient
//   2 mean_j (x - y_j)/|x - y_j| - 2 mean_i (x - x_i)/|x - x_i| (a zero difference contributes 0).
// All are gradients of the first variation, i.e. n times the derivative of the discrepancy in x_i.

/** ybar[r] = n int_{r/n}^{(r+1)/n} G^-1(t) dt for the sorted target projections ys (m values). */
function quantileMeans(ys: Float64Array, m: number, n: number, out: Float64Array): void {
  // breakpoints j/m of nu and r/n of mu, merged in integer units of 1/(n m)
  let j = 0;
  for (let r = 0; r < n; r++) {
    const lo = r * m;
    const hi = (r + 1) * m;
    let s = 0;
    let t = lo;
    while (t < hi) {
      while ((j + 1) * n <= t) j++;
      const end = Math.min(hi, (j + 1) * n);
      s += (end - t) * ys[j];
      t = end;
    }
    out[r] = s / m;
  }
}

export interface SlicedWork {
  readonly xs: Float64Array; readonly ys: Float64Array; readonly order: Uint32Array; readonly ybar: Float64Array;
}
export const slicedWork = (n: number, m: number): SlicedWork => ({ xs: new Float64Array(n), ys: new Float64Array(m), order: new Uint32Array(n), ybar: new Float64Array(n) });

/**
 * Sliced W2^2 between x (n x d) and y (m x d) along the L unit directions theta (L x d), and its Wasserstein
 * gradient at the particles x into out (n x d). Returns the value (mean over directions).
 */
export function slicedValueAndGrad(x: Float64Array, n: number, y: Float64Array, m: number, d: number, theta: Float64Array, L: number, out: Float64Array | null, w: SlicedWork = slicedWork(n, m)): number {
  const { xs, ys, order, ybar } = w;
  if (out) out.fill(0, 0, n * d);
  let total = 0;
  for (let l = 0; l < L; l++) {
    const th = theta.subarray(l * d, (l + 1) * d);
    for (let i = 0; i < n; i++) { let s = 0; for (let c = 0; c < d; c++) s += th[c] * x[i * d + c]; xs[i] = s; order[i] = i; }
    for (let j = 0; j < m; j++) { let s = 0; for (let c = 0; c < d; c++) s += th[c] * y[j * d + c]; ys[j] = s; }
    order.sort((a, b) => xs[a] - xs[b]);
    ys.sort();
    quantileMeans(ys, m, n, ybar);
    // W2^2 = (1/n) sum_r xs_(r)^2 - 2 xs_(r) ybar_r + mean of ys^2
    let v = 0;
    for (let j = 0; j < m; j++) v += (ys[j] * ys[j]) / m;
    for (let r = 0; r < n; r++) {
      const i = order[r];
      v += (xs[i] * xs[i] - 2 * xs[i] * ybar[r]) / n;
      if (out) {
        const g = (2 / L) * (xs[i] - ybar[r]);
        for (let c = 0; c < d; c++) out[i * d + c] += g * th[c];
      }
    }
    total += Math.max(0, v);
  }
  return total / L;
}

/** L directions uniform on the sphere (normalized Gaussian draws). */
export function randomDirections(L: number, d: number, normal: () => number, out: Float64Array = new Float64Array(L * d)): Float64Array {
  for (let l = 0; l < L; l++) {
    let s = 0;
    do {
      s = 0;
      for (let c = 0; c < d; c++) { const v = normal(); out[l * d + c] = v; s += v * v; }
    } while (s === 0);
    const inv = 1 / Math.sqrt(s);
    for (let c = 0; c < d; c++) out[l * d + c] *= inv;
  }
  return out;
}

/**
 * out_a += sign * grad f(at_a), f(x) = -eps log sum_j exp((g_j - |x - y_j|^2)/eps) the entropic c-transform of the
 * potential g on y (m x d): grad f(x) = sum_j p_j(x) 2 (x - y_j), p = softmax((g_j - |x - y_j|^2)/eps).
 */
export function addEntropicTransformGrad(at: Float64Array, nAt: number, y: Float64Array, m: number, d: number, g: Float64Array, eps: number, sign: number, out: Float64Array): void {
  const e = new Float64Array(m);
  for (let a = 0; a < nAt; a++) {
    const oa = a * d;
    let mx = -Infinity;
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) { const t = at[oa + c] - y[j * d + c]; s += t * t; }
      e[j] = (g[j] - s) / eps;
      if (e[j] > mx) mx = e[j];
    }
    let z = 0;
    for (let j = 0; j < m; j++) { e[j] = Math.exp(e[j] - mx); z += e[j]; }
    for (let c = 0; c < d; c++) {
      let bary = 0;
      for (let j = 0; j < m; j++) bary += e[j] * y[j * d + c];
      out[oa + c] += sign * 2 * (at[oa + c] - bary / z);
    }
  }
}

/** Wasserstein gradient of the energy distance between x (n points) and y (m points) at the points `at` into out. */
export function energyDistanceGrad(x: Float64Array, n: number, y: Float64Array, m: number, d: number, at: Float64Array, nAt: number, out: Float64Array): void {
  for (let a = 0; a < nAt; a++) {
    const oa = a * d;
    for (let c = 0; c < d; c++) out[oa + c] = 0;
    for (const [pts, cnt, f] of [[y, m, 2 / m], [x, n, -2 / n]] as const) {
      for (let j = 0; j < cnt; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) { const t = at[oa + c] - pts[j * d + c]; s += t * t; }
        if (s === 0) continue;
        const k = f / Math.sqrt(s);
        for (let c = 0; c < d; c++) out[oa + c] += k * (at[oa + c] - pts[j * d + c]);
      }
    }
  }
}
