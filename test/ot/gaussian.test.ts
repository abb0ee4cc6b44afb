import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buresW2sq, buresW2sqDiag, gaussianGeodesic, gaussianOtMap, GaussianInputError, klGaussian, klGaussianDiag } from '../../src/ot/gaussian';
import { flat, maxAbs, maxAbsDiff, naiveMatmul, randomSpd, rng, normal } from '../linalg/random';

interface GaussianCase { m1: number[]; S1: number[][]; m2: number[]; S2: number[][]; bures_w2_squared: number; kl_1_given_2: number }
const fixturePath = fileURLToPath(new URL('../fixtures/ot/pot-reference.json', import.meta.url));
const cases = (JSON.parse(readFileSync(fixturePath, 'utf8')) as { gaussian: GaussianCase[] }).gaussian;

const vec = (v: number[]) => Float64Array.from(v);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function randomLaw(seed: number, d: number) {
  const r = rng(seed);
  return { m: Float64Array.from({ length: d }, () => normal(r)), S: randomSpd(r, d, 0.2, 1.5) };
}

describe('Gaussian OT against the POT/SciPy reference', () => {
  it('has gaussian cases to test', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases.map((c, i) => [i, c.m1.length, c] as const))('case %i (d = %i): Bures W2^2 and KL within 1e-9 relative', (_i, d, c) => {
    const args = [vec(c.m1), flat(c.S1), vec(c.m2), flat(c.S2), d] as const;
    expect(rel(buresW2sq(...args), c.bures_w2_squared)).toBeLessThan(1e-9);
    expect(rel(klGaussian(...args), c.kl_1_given_2)).toBeLessThan(1e-9);
  });
});

describe('Bures–Wasserstein distance', () => {
  it('is symmetric and vanishes on the diagonal', () => {
    for (const d of [1, 3, 8]) {
      const a = randomLaw(d, d);
      const b = randomLaw(100 + d, d);
      const ab = buresW2sq(a.m, a.S, b.m, b.S, d);
      expect(ab).toBeGreaterThan(0);
      expect(rel(buresW2sq(b.m, b.S, a.m, a.S, d), ab)).toBeLessThan(1e-12);
      expect(Math.abs(buresW2sq(a.m, a.S, a.m, a.S, d))).toBeLessThan(1e-13 * maxAbs(a.S) * d);
      expect(klGaussian(a.m, a.S, a.m, a.S, d)).toBeLessThan(1e-14);
    }
  });

  it('1-D closed forms: (m1 - m2)^2 + (s1 - s2)^2 and KL = (v1/v2 - 1 - log(v1/v2) + (m1-m2)^2/v2) / 2', () => {
    const w = buresW2sq(vec([1]), vec([4]), vec([-2]), vec([9]), 1);
    expect(w).toBeCloseTo(9 + 1, 14);
    const kl = klGaussian(vec([1]), vec([4]), vec([-2]), vec([9]), 1);
    expect(kl).toBeCloseTo(0.5 * (4 / 9 - 1 - Math.log(4 / 9) + 9 / 9), 14);
  });

  it('commuting covariances reduce to the diagonal formula, and the O(d) variants agree with the dense ones', () => {
    const d = 6;
    const r = rng(9);
    const s1 = Float64Array.from({ length: d }, () => 0.1 + 3 * r());
    const s2 = Float64Array.from({ length: d }, () => 0.1 + 3 * r());
    const m1 = Float64Array.from({ length: d }, () => normal(r));
    const m2 = Float64Array.from({ length: d }, () => normal(r));
    const D = (s: Float64Array) => { const a = new Float64Array(d * d); s.forEach((v, i) => (a[i * d + i] = v)); return a; };
    expect(rel(buresW2sqDiag(m1, s1, m2, s2, d), buresW2sq(m1, D(s1), m2, D(s2), d))).toBeLessThan(1e-13);
    expect(rel(klGaussianDiag(m1, s1, m2, s2, d), klGaussian(m1, D(s1), m2, D(s2), d))).toBeLessThan(1e-13);
    let expected = 0;
    for (let i = 0; i < d; i++) expected += (m1[i] - m2[i]) ** 2 + (Math.sqrt(s1[i]) - Math.sqrt(s2[i])) ** 2;
    expect(rel(buresW2sqDiag(m1, s1, m2, s2, d), expected)).toBeLessThan(1e-14);
  });

  it('is the transport cost of the OT map: W2^2 = |m1 - m2|^2 + tr((A - I) S1 (A - I))', () => {
    const d = 5;
    const a = randomLaw(21, d);
    const b = randomLaw(22, d);
    const { A } = gaussianOtMap(a.m, a.S, b.m, b.S, d);
    const AmI = Float64Array.from(A);
    for (let i = 0; i < d; i++) AmI[i * d + i] -= 1;
    const c = naiveMatmul(naiveMatmul(AmI, a.S, d), AmI, d);
    let cost = 0;
    for (let i = 0; i < d; i++) cost += c[i * d + i] + (a.m[i] - b.m[i]) ** 2;
    expect(rel(buresW2sq(a.m, a.S, b.m, b.S, d), cost)).toBeLessThan(1e-12);
  });

  it('names the offending field in input errors', () => {
    const m = vec([0, 0]);
    const I = vec([1, 0, 0, 1]);
    expect(() => buresW2sq(m, vec([1, 2, 2, 1]), m, I, 2)).toThrow(/^S1: must be symmetric positive definite/);
    expect(() => buresW2sq(m, I, m, vec([1, 0.5, 0.4, 1]), 2)).toThrow(/^S2: must be symmetric positive definite/);
    expect(() => klGaussian(vec([0]), I, m, I, 2)).toThrow(/^m1: has length 1/);
    expect(() => klGaussian(m, I, vec([0, NaN]), I, 2)).toThrow(/^m2: entry 1 is NaN/);
    expect(() => gaussianOtMap(m, vec([1, 0, 0]), m, I, 2)).toThrow(/^S1: has 3 entries/);
    expect(() => buresW2sqDiag(m, vec([1, 0]), m, vec([1, 1]), 2)).toThrow(/^s1: entry 1 is 0/);
    expect(() => klGaussianDiag(m, vec([1, 1]), m, vec([1, -1]), 2)).toThrow(GaussianInputError);
    expect(() => gaussianGeodesic(m, I, m, I, 2, NaN)).toThrow(/^t: /);
  });
});

describe('Gaussian OT map', () => {
  it.each([1, 2, 4, 10])('pushes N(m1, S1) to N(m2, S2): A symmetric positive definite, A S1 A = S2, T(m1) = m2 (d = %i)', (d) => {
    const a = randomLaw(30 + d, d);
    const b = randomLaw(40 + d, d);
    const { A, b: off } = gaussianOtMap(a.m, a.S, b.m, b.S, d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(A[i * d + j]).toBe(A[j * d + i]);
    expect(maxAbsDiff(naiveMatmul(naiveMatmul(A, a.S, d), A, d), b.S)).toBeLessThan(1e-12 * maxAbs(b.S));
    for (let i = 0; i < d; i++) {
      let t = off[i];
      for (let j = 0; j < d; j++) t += A[i * d + j] * a.m[j];
      expect(t).toBeCloseTo(b.m[i], 12);
    }
  });

  it('matches the 1-D map x -> m2 + (s2/s1)(x - m1)', () => {
    const { A, b } = gaussianOtMap(vec([1]), vec([4]), vec([3]), vec([25]), 1);
    expect(A[0]).toBeCloseTo(2.5, 14);
    expect(b[0]).toBeCloseTo(3 - 2.5, 14);
  });
});

describe('McCann interpolation', () => {
  const d = 4;
  const a = randomLaw(51, d);
  const b = randomLaw(52, d);
  const total = buresW2sq(a.m, a.S, b.m, b.S, d);

  it('has the right endpoints', () => {
    const g0 = gaussianGeodesic(a.m, a.S, b.m, b.S, d, 0);
    const g1 = gaussianGeodesic(a.m, a.S, b.m, b.S, d, 1);
    expect(maxAbsDiff(g0.mean, a.m)).toBe(0);
    expect(maxAbsDiff(g0.cov, a.S)).toBeLessThan(1e-14 * maxAbs(a.S));
    expect(maxAbsDiff(g1.mean, b.m)).toBeLessThan(1e-15);
    expect(maxAbsDiff(g1.cov, b.S)).toBeLessThan(1e-12 * maxAbs(b.S));
  });

  it('has constant speed: W2(mu_s, mu_t) = |t - s| W2(mu_0, mu_1)', () => {
    const ts = [0, 0.1, 0.25, 0.5, 0.8, 1];
    for (const s of ts) {
      for (const t of ts) {
        if (s === t) continue;
        const gs = gaussianGeodesic(a.m, a.S, b.m, b.S, d, s);
        const gt = gaussianGeodesic(a.m, a.S, b.m, b.S, d, t);
        const w = Math.sqrt(buresW2sq(gs.mean, gs.cov, gt.mean, gt.cov, d));
        expect(Math.abs(w - Math.abs(t - s) * Math.sqrt(total))).toBeLessThan(1e-9 * Math.sqrt(total));
      }
    }
  });
});
