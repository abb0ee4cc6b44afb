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
  readonly sorted: Float64Array; readonly taken: Uint8Array;
}
export const slicedWork = (n: number, m: number): SlicedWork => ({
  xs: new Float64Array(n), ys: new Float64Array(m), order: new Uint32Array(n), ybar: new Float64Array(n), sorted: new Float64Array(n), taken: new Uint8Array(n),
});

/** order[r] = index of the r-th smallest xs (ties in any order), via the native typed-array sort and binary search. */
function argsortInto(xs: Float64Array, n: number, sorted: Float64Array, taken: Uint8Array, order: Uint32Array): void {
  sorted.set(xs.subarray(0, n));
  sorted.sort();
  taken.fill(0);
  for (let i = 0; i < n; i++) {
    const v = xs[i];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    while (taken[lo]) lo++;
    taken[lo] = 1;
    order[lo] = i;
  }
}

/**
 * Sliced W2^2 between x (n x d) and y (m x d) along the L unit directions theta (L x d), and its Wasserstein
 * gradient at the particles x into out (n x d). Returns the value (mean over directions).
 */
export function slicedValueAndGrad(x: Float64Array, n: number, y: Float64Array, m: number, d: number, theta: Float64Array, L: number, out: Float64Array | null, w: SlicedWork = slicedWork(n, m)): number {
  const { xs, ys, order, ybar, sorted, taken } = w;
  if (out) out.fill(0, 0, n * d);
  let total = 0;
  for (let l = 0; l < L; l++) {
    const th = theta.subarray(l * d, (l + 1) * d);
    for (let i = 0; i < n; i++) { let s = 0; for (let c = 0; c < d; c++) s += th[c] * x[i * d + c]; xs[i] = s; }
    for (let j = 0; j < m; j++) { let s = 0; for (let c = 0; c < d; c++) s += th[c] * y[j * d + c]; ys[j] = s; }
    argsortInto(xs, n, sorted, taken, order);
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

/** out_a += f * sum_j (at_a - p_j) / |at_a - p_j| over the cnt points p (a zero difference contributes 0). */
function addUnitDirections(at: Float64Array, nAt: number, p: Float64Array, cnt: number, d: number, f: number, out: Float64Array): void {
  const acc = new Float64Array(d);
  for (let a = 0; a < nAt; a++) {
    const oa = a * d;
    acc.fill(0);
    let wsum = 0;
    for (let j = 0; j < cnt; j++) {
      const oj = j * d;
      let s = 0;
      for (let c = 0; c < d; c++) { const t = at[oa + c] - p[oj + c]; s += t * t; }
      if (s === 0) continue;
      const w = 1 / Math.sqrt(s);
      wsum += w;
      for (let c = 0; c < d; c++) acc[c] += w * p[oj + c];
    }
    // sum_j w_j (at - p_j) = wsum at - sum_j w_j p_j
    for (let c = 0; c < d; c++) out[oa + c] += f * (wsum * at[oa + c] - acc[c]);
  }
}

/** Wasserstein gradient of the energy distance between x (n points) and y (m points) at the points `at` into out. */
export function energyDistanceGrad(x: Float64Array, n: number, y: Float64Array, m: number, d: number, at: Float64Array, nAt: number, out: Float64Array): void {
  out.fill(0, 0, nAt * d);
  addUnitDirections(at, nAt, y, m, d, 2 / m, out);
  addUnitDirections(at, nAt, x, n, d, -2 / n, out);
}
