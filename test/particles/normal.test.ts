// Ziggurat normals: moments, tail probabilities and binned frequencies against the normal law (probabilities by
// Simpson integration of the density written here), within stated Monte Carlo tolerances.
import { describe, expect, it } from 'vitest';
import { fillNormalZiggurat } from '../../src/particles/normal';
import { createRng } from '../../src/random';

const pdf = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
function prob(a: number, b: number): number {
  const m = 2000, h = (b - a) / m;
  let s = pdf(a) + pdf(b);
  for (let i = 1; i < m; i++) s += (i % 2 ? 4 : 2) * pdf(a + i * h);
  return (s * h) / 3;
}

describe('fillNormalZiggurat', () => {
  const n = 1_000_000, x = fillNormalZiggurat(createRng(3), new Float64Array(n));
  it('moments: mean 0, variance 1, skewness 0, kurtosis 3 (5 standard errors)', () => {
    let m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    for (const v of x) { m1 += v; m2 += v * v; m3 += v ** 3; m4 += v ** 4; }
    m1 /= n; m2 /= n; m3 /= n; m4 /= n;
    expect(Math.abs(m1)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(m3)).toBeLessThan(5 * Math.sqrt(15 / n));
    expect(Math.abs(m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
  });
  it('bin frequencies (including the tail beyond the base layer, |x| > 3.44) within 5 binomial standard errors', () => {
    const edges = [-Infinity, -3.6, -3, -2, -1.2, -0.5, 0, 0.3, 1, 1.7, 2.5, 3.3, 3.6, Infinity];
    const count = new Array(edges.length - 1).fill(0);
    for (const v of x) { let b = 0; while (v >= edges[b + 1]) b++; count[b]++; }
    for (let b = 0; b < count.length; b++) {
      const lo = Math.max(edges[b], -12), hi = Math.min(edges[b + 1], 12), p = prob(lo, hi);
      expect(Math.abs(count[b] / n - p)).toBeLessThan(5 * Math.sqrt(p * (1 - p) / n));
    }
  });
  it('is deterministic for a seed, finite, and fills any length', () => {
    expect(fillNormalZiggurat(createRng(9), new Float64Array(7))).toEqual(fillNormalZiggurat(createRng(9), new Float64Array(7)));
    expect(x.every(Number.isFinite)).toBe(true);
    expect(fillNormalZiggurat(createRng(1), new Float64Array(0)).length).toBe(0);
  });
});
