import { describe, expect, it } from 'vitest';
import { choleskyInPlace } from '../../src/linalg/cholesky';
import { congruence, matmul, matvec, symmetrizeInPlace, transpose, isDiagonal, asymmetry, trace } from '../../src/linalg/dense';
import { symmetricEigen } from '../../src/linalg/eigen';
import { invSpd, invSqrtmSpd, logdetSpd, NotPositiveDefiniteError, spdFunction, sqrtmSpd, symmetricFunction, xMinusOneMinusLog } from '../../src/linalg/spd';
import { maxAbs, maxAbsDiff, naiveMatmul, randomOrthogonal, randomSpd, rng, withSpectrum } from './random';

const eye = (n: number) => {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  return a;
};

describe('dense helpers', () => {
  it('matmul agrees with a naive triple loop, including rectangular shapes', () => {
    const r = rng(1);
    const n = 9;
    const a = Float64Array.from({ length: n * n }, () => r() - 0.5);
    const b = Float64Array.from({ length: n * n }, () => r() - 0.5);
    expect(maxAbsDiff(matmul(a, b, n, n, n), naiveMatmul(a, b, n))).toBeLessThan(1e-15);
    // (2 x 3) (3 x 1)
    expect(Array.from(matmul([1, 2, 3, 4, 5, 6], [1, 0, -1], 2, 3, 1))).toEqual([-2, -2]);
    expect(Array.from(matvec([1, 2, 3, 4, 5, 6], [1, 0, -1], 2, 3))).toEqual([-2, -2]);
    expect(Array.from(transpose([1, 2, 3, 4, 5, 6], 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('congruence A B A is exactly symmetric and equals the naive product', () => {
    const r = rng(2);
    const n = 7;
    const a = randomSpd(r, n);
    const b = randomSpd(r, n);
    const c = congruence(a, b, n);
    expect(asymmetry(c, n)).toBe(0);
    expect(maxAbsDiff(c, naiveMatmul(naiveMatmul(a, b, n), a, n))).toBeLessThan(1e-14 * maxAbs(c));
  });

  it('symmetrize, trace, isDiagonal', () => {
    const a = Float64Array.from([1, 2, 4, 3]);
    expect(Array.from(symmetrizeInPlace(a, 2))).toEqual([1, 3, 3, 3]);
    expect(trace(a, 2)).toBe(4);
    expect(isDiagonal([1, 0, 0, 2], 2)).toBe(true);
    expect(isDiagonal([1, 1e-300, 0, 2], 2)).toBe(false);
  });
});

describe('SPD matrix functions', () => {
  it.each([1, 2, 5, 30])('sqrtm(A)^2 = A, A^-1/2 A A^-1/2 = I, A^-1 A = I (n = %i)', (n) => {
    const a = randomSpd(rng(10 + n), n, 0.05);
    const h = sqrtmSpd(a, n);
    const ih = invSqrtmSpd(a, n);
    const inv = invSpd(a, n);
    const scale = maxAbs(a);
    expect(maxAbsDiff(naiveMatmul(h, h, n), a)).toBeLessThan(1e-13 * scale);
    expect(maxAbsDiff(naiveMatmul(naiveMatmul(ih, a, n), ih, n), eye(n))).toBeLessThan(1e-12);
    expect(maxAbsDiff(naiveMatmul(inv, a, n), eye(n))).toBeLessThan(1e-12);
    // the square root is itself SPD (the principal root)
    expect(symmetricEigen(h, n).values[0]).toBeGreaterThan(0);
  });

  it('2 x 2 square root matches the closed form (A + sqrt(det A) I) / sqrt(tr A + 2 sqrt(det A))', () => {
    for (const [a, b, c] of [[2, 1, 3], [4, 0, 9], [1, 0.999, 1], [1e-6, 0, 1e6]]) {
      const s = Math.sqrt(a * c - b * b);
      const t = Math.sqrt(a + c + 2 * s);
      const expected = [(a + s) / t, b / t, b / t, (c + s) / t];
      const got = sqrtmSpd(Float64Array.from([a, b, b, c]), 2);
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-12 * Math.max(...expected.map(Math.abs)));
    }
  });

  it('log det agrees with the sum of log eigenvalues, the 2 x 2 determinant and a prescribed spectrum', () => {
    const n = 25;
    const a = randomSpd(rng(5), n, 0.2);
    const viaEig = symmetricEigen(a, n).values.reduce((s, v) => s + Math.log(v), 0);
    expect(Math.abs(logdetSpd(a, n) - viaEig)).toBeLessThan(1e-11 * Math.abs(viaEig) + 1e-12);
    expect(logdetSpd(Float64Array.from([2, 1, 1, 3]), 2)).toBeCloseTo(Math.log(5), 14);
    const spec = Array.from({ length: 12 }, (_, i) => 10 ** (i / 2 - 3));
    const b = withSpectrum(randomOrthogonal(rng(6), 12), spec, 12);
    expect(Math.abs(logdetSpd(b, 12) - spec.reduce((s, v) => s + Math.log(v), 0))).toBeLessThan(1e-9);
  });

  it('general f through the eigendecomposition: exp(log A) = A and f(A) commutes with A', () => {
    const n = 6;
    const a = randomSpd(rng(8), n, 0.3);
    const log = spdFunction(a, n, Math.log);
    const back = symmetricFunction(log, n, Math.exp);
    expect(maxAbsDiff(back, a)).toBeLessThan(1e-13 * maxAbs(a));
    const f = spdFunction(a, n, (l) => l * l * l - l);
    expect(maxAbsDiff(naiveMatmul(f, a, n), naiveMatmul(a, f, n))).toBeLessThan(1e-12 * maxAbs(f) * maxAbs(a));
  });

  it('rejects indefinite and singular matrices with NotPositiveDefiniteError', () => {
    const indefinite = Float64Array.from([1, 2, 2, 1]);
    expect(() => sqrtmSpd(indefinite, 2)).toThrow(NotPositiveDefiniteError);
    expect(() => invSpd(new Float64Array(4), 2)).toThrow(NotPositiveDefiniteError);
    expect(() => logdetSpd(indefinite, 2)).toThrow(NotPositiveDefiniteError);
    // Cholesky agrees on positive definiteness
    expect(choleskyInPlace(Float64Array.from(indefinite), 2)).toBe(false);
  });
});

describe('xMinusOneMinusLog', () => {
  it('equals x - 1 - log x away from 1 and its series near 1, without cancellation', () => {
    for (const x of [1e-8, 0.3, 0.9, 1.2, 7, 1e8]) expect(xMinusOneMinusLog(x)).toBeCloseTo(x - 1 - Math.log(x), 12);
    expect(xMinusOneMinusLog(1)).toBe(0);
    for (const e0 of [1e-3, -1e-3, 1e-6, -2e-9, 0.04, -0.049]) {
      const e = 1 + e0 - 1; // exactly x - 1 for the x passed below
      // e - log1p(e) = e^2/2 - e^3/3 + e^4/4 - ..., summed here in reverse order to 40 terms
      let s = 0;
      for (let k = 40; k >= 2; k--) s += ((k % 2 === 0 ? 1 : -1) * e ** k) / k;
      expect(Math.abs(xMinusOneMinusLog(1 + e0) - s) / s).toBeLessThan(1e-13);
    }
  });
});
