// Particle moments and the fb-gaussian entropy step against closed forms computed here with number[][] helpers
// (Gauss-Jordan inverse, Denman-Beavers square root), independent of src/linalg.
import { describe, expect, it } from 'vitest';
import { applyAffine, fbGaussianEntropyStep, particleCov, particleMean } from '../../src/particles/moments';
import { createTarget } from '../../src/particles/targets';
import { createRng } from '../../src/random';

type M = number[][];
const eye = (d: number): M => Array.from({ length: d }, (_, r) => Array.from({ length: d }, (_, c) => (r === c ? 1 : 0)));
const mul = (a: M, b: M): M => a.map((row) => b[0].map((_, c) => row.reduce((s, v, k) => s + v * b[k][c], 0)));
const add = (a: M, b: M, f = 1): M => a.map((row, r) => row.map((v, c) => v + f * b[r][c]));
const scale = (a: M, f: number): M => a.map((row) => row.map((v) => v * f));
function inv(a: M): M {
  const d = a.length, w = a.map((row, r) => [...row, ...eye(d)[r]]);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(w[r][c]) > Math.abs(w[p][c])) p = r;
    [w[c], w[p]] = [w[p], w[c]];
    const piv = w[c][c];
    for (let k = 0; k < 2 * d; k++) w[c][k] /= piv;
    for (let r = 0; r < d; r++) if (r !== c) { const f = w[r][c]; for (let k = 0; k < 2 * d; k++) w[r][k] -= f * w[c][k]; }
  }
  return w.map((row) => row.slice(d));
}
/** Denman-Beavers iteration Y <- (Y + Z^{-1}) / 2, Z <- (Z + Y^{-1}) / 2, Y -> A^{1/2}. */
function sqrtm(a: M): M {
  let y = a, z = eye(a.length);
  for (let it = 0; it < 60; it++) {
    const yn = scale(add(y, inv(z)), 0.5);
    z = scale(add(z, inv(y)), 0.5);
    y = yn;
  }
  return y;
}
const toM = (a: Float64Array, d: number): M => Array.from({ length: d }, (_, r) => Array.from(a.slice(r * d, r * d + d)));
function expectMatClose(a: M, b: M, tol: number): void {
  const s = Math.max(...b.flat().map(Math.abs));
  a.forEach((row, r) => row.forEach((v, c) => expect(Math.abs(v - b[r][c])).toBeLessThanOrEqual(tol * s)));
}
/** JKO of the entropy on covariances: S' = (S + 2g I + (S (S + 4g I))^{1/2}) / 2. */
const jkoCov = (S: M, g: number): M => scale(add(add(S, scale(eye(S.length), 2 * g)), sqrtm(mul(S, add(S, scale(eye(S.length), 4 * g))))), 0.5);

const Sigma = [[2, 0.8, -0.3], [0.8, 1, 0.2], [-0.3, 0.2, 0.5]];
function sample(n: number, seed: number, mean = [1, -2, 0.5]): Float64Array {
  return createTarget({ kind: 'gaussian', mean, cov: Sigma }).sample(n, createRng(seed));
}

describe('particle moments', () => {
  it('mean and 1/N covariance match the direct sums; applyAffine matches the direct map', () => {
    const n = 500, d = 3, x = sample(n, 1), X = Array.from({ length: n }, (_, i) => Array.from(x.slice(i * d, i * d + d)));
    const m = [0, 1, 2].map((t) => X.reduce((s, p) => s + p[t], 0) / n);
    const C = [0, 1, 2].map((r) => [0, 1, 2].map((c) => X.reduce((s, p) => s + (p[r] - m[r]) * (p[c] - m[c]), 0) / n));
    const pm = particleMean(x, n, d);
    m.forEach((v, t) => expect(pm[t]).toBeCloseTo(v, 13));
    expectMatClose(toM(particleCov(x, n, d), d), C, 1e-13);
    const A = [[1, 2, 0], [0, 1, -1], [0.5, 0, 3]], shift = [10, 20, 30], y = Float64Array.from(x);
    applyAffine(y, n, d, m, A.flat(), shift);
    for (let i = 0; i < n; i += 50) {
      const ref = A.map((row, r) => shift[r] + row.reduce((s, a, c) => s + a * (X[i][c] - m[c]), 0));
      ref.forEach((v, r) => expect(y[i * d + r]).toBeCloseTo(v, 11));
    }
  });
  it('n = 1: covariance 0; a huge offset does not spoil the two-pass covariance', () => {
    expect(Array.from(particleCov(Float64Array.of(1, 2), 1, 2))).toEqual([0, 0, 0, 0]);
    const x = sample(400, 2, [1e9, -1e9, 1e9]);
    expectMatClose(toM(particleCov(x, 400, 3), 3), toM(particleCov(sample(400, 2), 400, 3), 3), 1e-5);
  });
});

describe('fbGaussianEntropyStep', () => {
  for (const g of [0.01, 0.3, 5]) {
    it(`g = ${g}: output moments are (m, S') in closed form, and the map satisfies the JKO optimality condition`, () => {
      const n = 300, d = 3, y = sample(n, 3), before = Float64Array.from(y);
      const m0 = particleMean(y, n, d), S = toM(particleCov(y, n, d), d);
      const r = fbGaussianEntropyStep(y, n, d, g);
      const Sp = jkoCov(S, g);
      expectMatClose(toM(r.newCov, d), Sp, 1e-11);
      expectMatClose(toM(particleCov(y, n, d), d), Sp, 1e-11);
      const m1 = particleMean(y, n, d);
      for (let t = 0; t < d; t++) expect(m1[t]).toBeCloseTo(m0[t], 12);
      // optimality of the JKO step: T(x) - x = g S'^{-1} (T(x) - m); and T = m + S^{-1/2}(S^{1/2} S' S^{1/2})^{1/2} S^{-1/2} (x - m)
      const P = inv(Sp), Sh = sqrtm(S), Shi = inv(Sh);
      const T = mul(mul(Shi, sqrtm(mul(mul(Sh, Sp), Sh))), Shi);
      expectMatClose(toM(r.map, d), T, 1e-9);
      for (let i = 0; i < n; i += 37) {
        const tx = [0, 1, 2].map((t) => y[i * d + t]), x = [0, 1, 2].map((t) => before[i * d + t]);
        const rhs = P.map((row) => g * row.reduce((s, v, c) => s + v * (tx[c] - m0[c]), 0));
        tx.forEach((v, t) => expect(v - x[t]).toBeCloseTo(rhs[t], 10));
      }
    });
  }
  it('forward-backward on a Gaussian target: particle moments follow the closed-form Gaussian iteration (20 steps)', () => {
    // target N(mu, Q^{-1}); gradient half-step y = x - g Q (x - mu): mean -> m - g Q (m - mu), S -> (I - g Q) S (I - g Q)
    const d = 3, n = 200, g = 0.1, mu = [0.5, 0, -1], Q = inv([[1, 0.3, 0], [0.3, 2, 0.1], [0, 0.1, 0.7]]);
    const target = createTarget({ kind: 'gaussian', mean: mu, cov: inv(Q) });
    const x = sample(n, 4), grad = new Float64Array(n * d);
    let m = Array.from(particleMean(x, n, d)), S = toM(particleCov(x, n, d), d);
    const B = add(eye(d), Q, -g);
    for (let k = 0; k < 20; k++) {
      target.gradPotential(x, n, grad);
      for (let i = 0; i < n * d; i++) x[i] -= g * grad[i];
      fbGaussianEntropyStep(x, n, d, g);
      m = m.map((v, r) => v - g * Q[r].reduce((s, q, c) => s + q * (m[c] - mu[c]), 0));
      S = jkoCov(mul(mul(B, S), B), g);
    }
    const pm = particleMean(x, n, d);
    m.forEach((v, t) => expect(pm[t]).toBeCloseTo(v, 9));
    expectMatClose(toM(particleCov(x, n, d), d), S, 1e-9);
  });
  it('g = 0 leaves the particles unchanged; singular covariance, NaN and negative steps throw', () => {
    const y = sample(50, 5), y0 = Float64Array.from(y);
    fbGaussianEntropyStep(y, 50, 3, 0);
    y.forEach((v, i) => expect(v).toBeCloseTo(y0[i], 12));
    expect(() => fbGaussianEntropyStep(sample(3, 6), 3, 3, 0.1)).toThrow(/^fb-gaussian: the particles' covariance is singular/);
    expect(() => fbGaussianEntropyStep(Float64Array.of(1, 2), 1, 2, 0.1)).toThrow(/singular/);
    expect(() => fbGaussianEntropyStep(Float64Array.of(1, NaN, 2, 3), 2, 2, 0.1)).toThrow(/^fb-gaussian: coordinate 1 of particle 0 is NaN/);
    expect(() => fbGaussianEntropyStep(sample(50, 7), 50, 3, -1)).toThrow(RangeError);
  });
  it('tiny and huge scales: the same relative answer (S scaled by c^2 with g scaled by c^2)', () => {
    for (const c of [1e-100, 1e100]) {
      const y = sample(100, 8).map((v) => v * c), S = toM(particleCov(y, 100, 3), 3).map((row) => row.map((v) => v / (c * c)));
      const r = fbGaussianEntropyStep(y, 100, 3, 0.2 * c * c);
      expectMatClose(toM(r.newCov, 3).map((row) => row.map((v) => v / (c * c))), jkoCov(S, 0.2), 1e-11);
    }
  });
});
