// Kernel sums against direct O(n^2) formulas written here over number[][] (and finite differences), the median
// heuristic against a sort-based numpy-style median.
import { describe, expect, it } from 'vitest';
import { kdeScore, medianBandwidth, medianSqDistance, mmd2Gaussian, mmd2SelfTerm, mmdWitnessGrad, silvermanBandwidth, svgdDirection } from '../../src/particles/kernels';
import { mmd2 } from '../../src/ot/mmd';
import { createRng } from '../../src/random';

const rows = (x: Float64Array, d: number): number[][] => Array.from({ length: x.length / d }, (_, i) => Array.from(x.slice(i * d, i * d + d)));
const sq = (p: number[], q: number[]) => p.reduce((s, t, k) => s + (t - q[k]) ** 2, 0);
function cloud(seed: number, n: number, d: number, scale = 1, shift = 0): Float64Array {
  const r = createRng(seed);
  return Float64Array.from({ length: n * d }, () => shift + scale * r.normal());
}
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number): void {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(rtol * scale);
}

/** phi(x_i) = (1/n) sum_j [k_ji g_j + grad_{x_j} k(x_j, x_i)], the derivative written out per coordinate. */
function directSvgd(X: number[][], G: number[][], h: number): number[] {
  const n = X.length;
  return X.flatMap((xi) => xi.map((_, t) => {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const k = Math.exp(-sq(X[j], xi) / h);
      s += k * G[j][t] + k * (-2 * (X[j][t] - xi[t]) / h);
    }
    return s / n;
  }));
}

describe('svgdDirection', () => {
  for (const [d, scale, shift] of [[1, 1, 0], [2, 1, 0], [2, 1, 1e6], [2, 1e-60, 0], [3, 2, 0], [5, 1, 0]]) {
    it(`matches the direct formula (d = ${d}, scale ${scale}, shift ${shift})`, () => {
      const n = 37, x = cloud(d, n, d, scale, shift), g = cloud(100 + d, n, d, 1 / scale), out = new Float64Array(n * d);
      const h = medianBandwidth(x, n, d);
      svgdDirection(x, n, d, g, h, out);
      expectClose(out, directSvgd(rows(x, d), rows(g, d), h), 1e-12);
    });
  }
  it('h -> 0 (also subnormal, as when the median is 0) is the limit kernel 1{x_i = x_j}; h = Infinity is k = 1; h < 0 or NaN throws', () => {
    const x = Float64Array.of(1, 1, 1, 1, 1, 1, 5, 5), g = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    expect(medianBandwidth(new Float64Array(6).fill(1), 3, 2)).toBe(0);
    for (const h of [0, Number.MIN_VALUE]) {
      const out = new Float64Array(8);
      svgdDirection(x, 4, 2, g, h, out);
      expect(Array.from(out)).toEqual([9 / 4, 12 / 4, 9 / 4, 12 / 4, 9 / 4, 12 / 4, 7 / 4, 8 / 4]);
    }
    const out = new Float64Array(8);
    svgdDirection(x, 4, 2, g, Infinity, out);
    expect(Array.from(out)).toEqual([4, 5, 4, 5, 4, 5, 4, 5]);
    for (const h of [-1, NaN]) expect(() => svgdDirection(x, 4, 2, g, h, new Float64Array(8))).toThrow(/^svgd: bandwidth must be a number >= 0/);
  });
  it('n = 1: phi = grad log pi (any bandwidth); NaN propagates', () => {
    const out = new Float64Array(2);
    svgdDirection(Float64Array.of(1, 2), 1, 2, Float64Array.of(-3, 4), 0, out);
    expect(Array.from(out)).toEqual([-3, 4]);
    svgdDirection(Float64Array.of(1, NaN, 0, 0), 2, 2, Float64Array.of(1, 1, 1, 1), 0.5, new Float64Array(4).fill(0));
    const o2 = new Float64Array(4);
    svgdDirection(Float64Array.of(1, NaN, 0, 0), 2, 2, Float64Array.of(1, 1, 1, 1), 0.5, o2);
    expect(o2.some(Number.isNaN)).toBe(true);
  });
});

/** log rho_h(z) for rho_h = (1/n) sum_j N(x_j, h^2 I), by log-sum-exp. */
function logKde(X: number[][], h: number, z: number[]): number {
  const e = X.map((xj) => -sq(z, xj) / (2 * h * h));
  const m = Math.max(...e);
  return m + Math.log(e.reduce((s, t) => s + Math.exp(t - m), 0) / X.length) - (z.length / 2) * Math.log(2 * Math.PI * h * h);
}

describe('kdeScore', () => {
  for (const [d, scale] of [[1, 1], [2, 1], [3, 1e-80], [4, 1e80]]) {
    it(`matches the direct softmax formula and finite differences of log rho_h (d = ${d}, scale ${scale})`, () => {
      const n = 41, x = cloud(7 + d, n, d, scale), out = new Float64Array(n * d), h = 0.4 * scale;
      kdeScore(x, n, d, h, out);
      const X = rows(x, d);
      const direct = X.flatMap((xi) => {
        const w = X.map((xj) => Math.exp(-sq(xi, xj) / (2 * h * h)));
        const W = w.reduce((s, t) => s + t, 0);
        return xi.map((_, t) => X.reduce((s, xj, j) => s + w[j] * (xj[t] - xi[t]), 0) / W / (h * h));
      });
      expectClose(out, direct, 1e-12);
      if (scale !== 1) return;
      for (let i = 0; i < n; i += 5) {
        for (let t = 0; t < d; t++) {
          const p = X[i].slice(), e = 1e-6;
          p[t] += e; const up = logKde(X, h, p);
          p[t] -= 2 * e; const dn = logKde(X, h, p);
          expect(Math.abs((up - dn) / (2 * e) - out[i * d + t])).toBeLessThan(1e-6 * Math.max(1, Math.abs(out[i * d + t])));
        }
      }
    });
  }
  it('n = 1 gives 0; far-apart particles (all cross terms underflow) give 0, not NaN', () => {
    const o = new Float64Array(2);
    kdeScore(Float64Array.of(3, 4), 1, 2, 1, o);
    expect(Array.from(o)).toEqual([0, 0]);
    const o2 = new Float64Array(2);
    kdeScore(Float64Array.of(0, 1e10), 2, 1, 1, o2);
    expect(Array.from(o2)).toEqual([0, 0]);
  });
});

describe('silvermanBandwidth', () => {
  it('is (4 / ((d + 2) n))^(1/(d+4)) times the root mean sample variance', () => {
    const n = 500, d = 3, x = cloud(5, n, d, 2);
    const X = rows(x, d);
    let v = 0;
    for (let t = 0; t < d; t++) {
      const m = X.reduce((s, p) => s + p[t], 0) / n;
      v += X.reduce((s, p) => s + (p[t] - m) ** 2, 0) / (n - 1);
    }
    expect(silvermanBandwidth(x, n, d)).toBeCloseTo((4 / (5 * n)) ** (1 / 7) * Math.sqrt(v / d), 12);
    expect(() => silvermanBandwidth(Float64Array.of(1, 2), 1, 2)).toThrow(/^bandwidth: the particles have no spread/);
  });
});

describe('MMD witness gradient and MMD^2', () => {
  const d = 3, n = 30, m = 25, s = 0.8;
  const x = cloud(11, n, d), y = cloud(12, m, d, 1.5, 0.5), z = cloud(13, 17, d);
  const k = (p: number[], q: number[]) => Math.exp(-sq(p, q) / (2 * s * s));
  const witness = (p: number[]) => rows(x, d).reduce((a, q) => a + k(p, q), 0) / n - rows(y, d).reduce((a, q) => a + k(p, q), 0) / m;
  const directGrad = (Z: number[][]) => Z.flatMap((p) => p.map((_, t) =>
    rows(x, d).reduce((a, q) => a - (k(p, q) * (p[t] - q[t])) / (s * s), 0) / n - rows(y, d).reduce((a, q) => a - (k(p, q) * (p[t] - q[t])) / (s * s), 0) / m));

  it('matches the direct formula at other points and at the particles (z === x), and finite differences of w', () => {
    const out = new Float64Array(17 * d);
    mmdWitnessGrad(z, 17, x, n, y, m, d, s, out);
    expectClose(out, directGrad(rows(z, d)), 1e-12);
    const ox = new Float64Array(n * d);
    mmdWitnessGrad(x, n, x, n, y, m, d, s, ox);
    expectClose(ox, directGrad(rows(x, d)), 1e-12);
    const p = rows(z, d)[3];
    for (let t = 0; t < d; t++) {
      const u = p.slice(), e = 1e-6;
      u[t] += e; const a = witness(u);
      u[t] -= 2 * e; const b = witness(u);
      expect((a - b) / (2 * e)).toBeCloseTo(out[3 * d + t], 8);
    }
  });
  it('mmd2Gaussian equals the direct V-statistic and src/ot mmd2 (bandwidth s), with and without a cached yy term', () => {
    const X = rows(x, d), Y = rows(y, d);
    const dbl = (A: number[][], B: number[][]) => A.reduce((a, p) => a + B.reduce((b, q) => b + k(p, q), 0), 0) / (A.length * B.length);
    const ref = dbl(X, X) + dbl(Y, Y) - 2 * dbl(X, Y);
    expect(mmd2Gaussian(x, n, y, m, d, s)).toBeCloseTo(ref, 13);
    expect(mmd2Gaussian(x, n, y, m, d, s, mmd2SelfTerm(y, m, d, s))).toBeCloseTo(ref, 13);
    expect(mmd2Gaussian(x, n, y, m, d, s)).toBeCloseTo(mmd2({ n, dim: d, data: x }, { n: m, dim: d, data: y }, null, null, { bandwidth: s }).value, 13);
    expect(mmd2Gaussian(x, n, x, n, d, s)).toBeCloseTo(0, 14);
  });
});

/** numpy.median of the full n x n squared-distance matrix: sort all n^2 entries. */
function sortMedian(X: number[][]): number {
  const all: number[] = [];
  for (const p of X) for (const q of X) all.push(sq(p, q));
  all.sort((a, b) => a - b);
  const N = all.length;
  return N % 2 ? all[(N - 1) / 2] : (all[N / 2 - 1] + all[N / 2]) / 2;
}

describe('medianSqDistance', () => {
  const cases: [string, number, number, (seed: number, n: number, d: number) => Float64Array][] = [
    ['gaussian', 1, 2, cloud], ['gaussian', 2, 2, cloud], ['gaussian', 3, 1, cloud], ['gaussian', 10, 3, cloud], ['gaussian', 11, 3, cloud],
    ['gaussian (sampled bracket path)', 400, 2, cloud], ['gaussian (sampled bracket path)', 401, 2, cloud],
    ['integer grid, heavy ties', 400, 2, (seed, n, d) => { const r = createRng(seed); return Float64Array.from({ length: n * d }, () => Math.floor(r.uniform() * 4)); }],
    ['clustered, with duplicates', 377, 3, (seed, n, d) => { const r = createRng(seed); const c = cloud(seed, 5, d, 10); return Float64Array.from({ length: n * d }, (_, i) => c[(Math.floor(i / d) % 5) * d + (i % d)] + (r.uniform() < 0.5 ? 0 : r.normal())); }],
    ['all equal', 300, 2, (_s, n, d) => new Float64Array(n * d).fill(2.5)],
  ];
  for (const [name, n, d, make] of cases) {
    it(`${name}, n = ${n} (n^2 ${n % 2 ? 'odd' : 'even'}): equals the sort-based median`, () => {
      const x = make(n, n, d), ref = sortMedian(rows(x, d));
      expect(medianSqDistance(x, n, d)).toBe(ref);
      expect(medianSqDistance(x, n, d, true)).toBe(ref);
    });
  }
  it('NaN input gives NaN; n = 0 throws', () => {
    expect(medianSqDistance(Float64Array.of(0, NaN, 1, 1), 2, 2)).toBeNaN();
    expect(() => medianSqDistance(new Float64Array(0), 0, 2)).toThrow(RangeError);
  });
  it('huge and tiny scales are exact', () => {
    for (const s of [1e-150, 1e150]) {
      const x = cloud(3, 401, 2, s);
      expect(medianSqDistance(x, 401, 2)).toBe(sortMedian(rows(x, 2)));
    }
  });
});
