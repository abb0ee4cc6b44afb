// Particle moments (covariance normalized by 1/N, as issue 7's bw2sq metric), affine maps of particles, and the
// entropy half-step of fb-gaussian (Salim, Korba & Luise 2020, "The Wasserstein proximal gradient algorithm",
// the closed-form Gaussian implementation): JKO of the entropy for the fitted Gaussian, applied by its OT map.
import { reconstruct } from '../linalg/spd';
import { symmetricEigen } from '../linalg/eigen';

/** Mean of the n rows of x (row-major n x d). */
export function particleMean(x: Float64Array, n: number, d: number, out: Float64Array = new Float64Array(d)): Float64Array {
  out.fill(0, 0, d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) out[t] += x[i * d + t];
  for (let t = 0; t < d; t++) out[t] /= n;
  return out;
}

/** Covariance (1/N) sum_i (x_i - m)(x_i - m)^T, two-pass about the given (default: the particles') mean; d x d. */
export function particleCov(x: Float64Array, n: number, d: number, mean: Float64Array = particleMean(x, n, d), out: Float64Array = new Float64Array(d * d)): Float64Array {
  out.fill(0, 0, d * d);
  const u = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) u[t] = x[i * d + t] - mean[t];
    for (let r = 0; r < d; r++) {
      const ur = u[r], o = r * d;
      for (let c = r; c < d; c++) out[o + c] += ur * u[c];
    }
  }
  for (let r = 0; r < d; r++) {
    for (let c = r; c < d; c++) {
      out[r * d + c] /= n;
      out[c * d + r] = out[r * d + c];
    }
  }
  return out;
}

/** In place: x_i <- shift + A (x_i - mean) for every row (A d x d row-major). */
export function applyAffine(x: Float64Array, n: number, d: number, mean: ArrayLike<number>, A: ArrayLike<number>, shift: ArrayLike<number>): void {
  const u = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let t = 0; t < d; t++) u[t] = x[o + t] - mean[t];
    for (let r = 0; r < d; r++) {
      let s = shift[r];
      const a = r * d;
      for (let c = 0; c < d; c++) s += A[a + c] * u[c];
      x[o + r] = s;
    }
  }
}

export interface FbGaussianEntropyStep {
  /** Mean of the input particles (unchanged by the step). */
  readonly mean: Float64Array;
  /** Covariance (1/N) of the input particles, and the covariance after the step (= that of the output). */
  readonly cov: Float64Array;
  readonly newCov: Float64Array;
  /** The map x -> mean + map (x - mean) that was applied. */
  readonly map: Float64Array;
}

/**
 * The JKO step of the (negative) entropy with step g for the Gaussian N(m, S) fitted to the particles y, applied in
 * place by the Gaussian optimal map (Salim, Korba & Luise 2020, sec. 5; SCIENCE.md "JKO of the entropy on
 * Gaussians"): S' = (S + 2g I + (S (S + 4g I))^{1/2}) / 2, x -> m + (I - g S'^{-1})^{-1} (x - m), which equals
 * m + S^{-1/2} (S^{1/2} S' S^{1/2})^{1/2} S^{-1/2} (x - m) since S' is a function of S. Exact: the output's
 * fitted moments are (m, S'). Throws a RangeError when g < 0, a coordinate is not finite, or S is singular
 * (n <= d, or particles on a hyperplane): the entropy step is then undefined.
 */
export function fbGaussianEntropyStep(y: Float64Array, n: number, d: number, g: number): FbGaussianEntropyStep {
  if (!(g >= 0) || !Number.isFinite(g)) throw new RangeError(`fb-gaussian: step must be a finite number >= 0, got ${g}`);
  for (let i = 0; i < n * d; i++) {
    if (!Number.isFinite(y[i])) throw new RangeError(`fb-gaussian: coordinate ${i % d} of particle ${Math.floor(i / d)} is ${y[i]}, must be finite`);
  }
  const mean = particleMean(y, n, d), cov = particleCov(y, n, d, mean);
  // src/linalg's eigensolver loses accuracy (tiny entries) or overflows (huge ones) away from unit scale: decompose
  // cov / c, c = max |cov_ij|, and scale the eigenvalues back.
  let c = 0;
  for (let k = 0; k < d * d; k++) c = Math.max(c, Math.abs(cov[k]));
  if (!(c > 0)) c = 1;
  const eig = symmetricEigen(cov.map((v) => v / c), d);
  const lam = eig.values.map((v) => v * c), lmax = Math.max(Math.abs(lam[d - 1]), Number.MIN_VALUE);
  if (!(lam[0] > 1e-13 * lmax)) {
    throw new RangeError(`fb-gaussian: the particles' covariance is singular (smallest eigenvalue ${lam[0]}, n = ${n}, d = ${d}); need n > d particles not on a hyperplane`);
  }
  const lp = new Float64Array(d), f = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    const l = lam[k], r = Math.sqrt(l) * Math.sqrt(l + 4 * g); // no overflow / underflow of l (l + 4g)
    lp[k] = (l + 2 * g + r) / 2;
    f[k] = lp[k] / ((l + r) / 2); // (1 - g / l')^{-1} with l' - g = (l + r) / 2, no cancellation
  }
  const map = reconstruct(eig.vectors, f, d), newCov = reconstruct(eig.vectors, lp, d);
  applyAffine(y, n, d, mean, map, mean);
  return Object.freeze({ mean, cov, newCov, map });
}
