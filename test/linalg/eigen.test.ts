import { describe, expect, it } from 'vitest';
import { LinalgError, symmetricEigen, symmetricEigenvalues } from '../../src/linalg/eigen';
import { maxAbs, maxAbsDiff, naiveMatmul, randomOrthogonal, randomSymmetric, rng, withSpectrum } from './random';

/** max |V^T diag(values) V - A| and max |V V^T - I| for eigenvectors as rows. */
function residuals(a: Float64Array, n: number) {
  const { values, vectors } = symmetricEigen(a, n);
  let rec = 0;
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let o = 0;
      for (let k = 0; k < n; k++) {
        s += vectors[k * n + i] * values[k] * vectors[k * n + j];
        o += vectors[i * n + k] * vectors[j * n + k];
      }
      rec = Math.max(rec, Math.abs(s - a[i * n + j]));
      orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
    }
  }
  return { values, vectors, rec: rec / Math.max(maxAbs(a), 1e-300), orth };
}

describe('symmetricEigen', () => {
  it.each([1, 2, 3, 5, 10, 40, 120])('reconstructs a random symmetric %i x %i matrix with orthonormal eigenvectors', (n) => {
    const a = randomSymmetric(rng(n), n);
    const { values, rec, orth } = residuals(a, n);
    expect(rec).toBeLessThan(1e-13 * n + 1e-14);
    expect(orth).toBeLessThan(1e-13 * n + 1e-14);
    for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
  });

  it('matches the 2 x 2 closed form (a+c)/2 -+ sqrt(((a-c)/2)^2 + b^2) and its eigenvectors', () => {
    for (const [a, b, c] of [[2, 1, 3], [1, 0, 1], [5, -2, -7], [1e-8, 3e-9, 2e-8], [1e8, 1, 1e8]]) {
      const { values, vectors } = symmetricEigen(Float64Array.from([a, b, b, c]), 2);
      const mid = (a + c) / 2;
      const rad = Math.hypot((a - c) / 2, b);
      const scale = Math.max(Math.abs(a), Math.abs(c), Math.abs(b));
      expect(Math.abs(values[0] - (mid - rad))).toBeLessThan(1e-15 * scale);
      expect(Math.abs(values[1] - (mid + rad))).toBeLessThan(1e-15 * scale);
      for (let k = 0; k < 2; k++) {
        // (A - lambda I) v = 0
        const [x, y] = [vectors[k * 2], vectors[k * 2 + 1]];
        expect(Math.abs((a - values[k]) * x + b * y)).toBeLessThan(1e-14 * scale);
        expect(Math.abs(b * x + (c - values[k]) * y)).toBeLessThan(1e-14 * scale);
      }
    }
  });

  it('recovers a prescribed spectrum, including repeated eigenvalues and a wide range of scales', () => {
    const n = 30;
    const q = randomOrthogonal(rng(7), n);
    const spectra = [
      Array.from({ length: n }, (_, i) => i - 10),
      Array.from({ length: n }, (_, i) => (i < 15 ? 1 : 2)),
      Array.from({ length: n }, (_, i) => 10 ** (-8 + (16 * i) / (n - 1))),
    ];
    for (const spec of spectra) {
      const a = withSpectrum(q, spec, n);
      const values = symmetricEigen(a, n).values;
      const sorted = [...spec].sort((x, y) => x - y);
      const scale = Math.max(...spec.map(Math.abs));
      for (let k = 0; k < n; k++) expect(Math.abs(values[k] - sorted[k])).toBeLessThan(1e-13 * scale);
      const { rec, orth } = residuals(a, n);
      expect(rec).toBeLessThan(1e-13);
      expect(orth).toBeLessThan(1e-12);
    }
  });

  it('handles diagonal, identity, zero and 1 x 1 matrices exactly', () => {
    const diag = Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 2]);
    const e = symmetricEigen(diag, 3);
    expect(Array.from(e.values)).toEqual([-1, 2, 3]);
    expect(maxAbsDiff(naiveMatmul(e.vectors, e.vectors, 3).map(Math.abs), Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]))).toBeLessThanOrEqual(1);
    expect(Array.from(symmetricEigen(Float64Array.from([1, 0, 0, 1]), 2).values)).toEqual([1, 1]);
    expect(Array.from(symmetricEigen(new Float64Array(9), 3).values)).toEqual([0, 0, 0]);
    const one = symmetricEigen(Float64Array.from([-4.5]), 1);
    expect(Array.from(one.values)).toEqual([-4.5]);
    expect(Array.from(one.vectors)).toEqual([1]);
  });

  it('reads only the lower triangle', () => {
    const a = randomSymmetric(rng(3), 6);
    const b = Float64Array.from(a);
    for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) b[i * 6 + j] = 1e6;
    expect(Array.from(symmetricEigen(b, 6).values)).toEqual(Array.from(symmetricEigen(a, 6).values));
  });

  it('values-only agrees with the full decomposition', () => {
    for (const n of [1, 2, 7, 60]) {
      const a = randomSymmetric(rng(100 + n), n);
      const full = symmetricEigen(a, n).values;
      const only = symmetricEigenvalues(a, n);
      expect(maxAbsDiff(full, only)).toBeLessThan(1e-13 * n);
    }
  });

  it('trace and Frobenius norm are preserved at n = 200', () => {
    const n = 200;
    const a = randomSymmetric(rng(200), n);
    const { values, rec } = residuals(a, n);
    let tr = 0;
    let fro = 0;
    for (let i = 0; i < n; i++) tr += a[i * n + i];
    for (let i = 0; i < n * n; i++) fro += a[i] * a[i];
    expect(Math.abs(values.reduce((s, v) => s + v, 0) - tr)).toBeLessThan(1e-10);
    expect(Math.abs(values.reduce((s, v) => s + v * v, 0) - fro) / fro).toBeLessThan(1e-12);
    expect(rec).toBeLessThan(1e-12);
  });

  it('rejects non-finite input and bad sizes with LinalgError', () => {
    expect(() => symmetricEigen(Float64Array.from([1, NaN, NaN, 1]), 2)).toThrow(LinalgError);
    expect(() => symmetricEigen(Float64Array.from([1, 0, 0, Infinity]), 2)).toThrow(/entry \(1, 1\)/);
    expect(() => symmetricEigen(new Float64Array(3), 2)).toThrow(LinalgError);
    expect(() => symmetricEigenvalues(new Float64Array(0), 0)).toThrow(LinalgError);
  });
});
