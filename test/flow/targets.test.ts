// The Flow view's target densities (renderer/src/flow/targets.ts) against formulas written out here.
import { describe, expect, it } from 'vitest';
import { densityCurve, densityGrid, hpdLevels, marginal1, marginal2, parseTarget, targetRange, type Target } from '../../renderer/src/flow/targets';

/** N(m, S) in 2-D from the inverse and determinant of S written out. */
function gauss2(x: number, y: number, m: [number, number], s: [[number, number], [number, number]]): number {
  const det = s[0][0] * s[1][1] - s[0][1] * s[1][0];
  const inv = [[s[1][1] / det, -s[0][1] / det], [-s[1][0] / det, s[0][0] / det]];
  const d = [x - m[0], y - m[1]];
  const q = d[0] * (inv[0][0] * d[0] + inv[0][1] * d[1]) + d[1] * (inv[1][0] * d[0] + inv[1][1] * d[1]);
  return Math.exp(-q / 2) / (2 * Math.PI * Math.sqrt(det));
}
const gauss1 = (x: number, m: number, v: number) => Math.exp(-((x - m) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);

const mixture = parseTarget({ target: { kind: 'mixture', weights: [3, 7], means: [[-2, 0], [2, 1]], covs: [[[1, 0.3], [0.3, 0.5]], { diag: [1, 2] }] } })!;
const banana = parseTarget({ target: { kind: 'banana', a: 1, b: 0.5, scales: [1.5, 0.6, 2] } })!;

describe('parseTarget', () => {
  it('reads gaussian-kl targets (no kind), gaussian, mixture (weights normalized) and banana', () => {
    const g = parseTarget({ kind: 'gaussian-kl', target: { mean: [1, 2], cov: { diag: [4, 9] } } });
    expect(g).toEqual({ kind: 'mixture', dim: 2, weights: [1], comps: [{ mean: [1, 2], cov: [[4, 0], [0, 9]] }] });
    expect(parseTarget({ target: { kind: 'gaussian', mean: [0], cov: [[2]] } })?.dim).toBe(1);
    expect(mixture.kind === 'mixture' && mixture.weights).toEqual([0.3, 0.7]);
    expect(banana).toEqual({ kind: 'banana', dim: 3, a: 1, b: 0.5, scales: [1.5, 0.6, 2] });
  });
  it('returns null for what it cannot draw', () => {
    expect(parseTarget({})).toBeNull();
    expect(parseTarget({ target: { kind: 'points', points: [[0, 1]] } })).toBeNull();
    expect(parseTarget({ target: { mean: [0, 0], cov: [[1, 0]] } })).toBeNull();
    expect(parseTarget({ target: { kind: 'mixture', weights: [1], means: [[0], [1]], covs: [[[1]]] } })).toBeNull();
    expect(parseTarget({ target: { kind: 'banana', a: 1, b: 1, scales: [1] } })).toBeNull();
  });
});

describe('densities', () => {
  it('mixture grid values equal the direct formula at every cell centre', () => {
    const box = { x0: -5, x1: 5, y0: -3, y1: 4 };
    const g = densityGrid(mixture, 0, 1, box, 40, 30);
    let worst = 0;
    for (let r = 0; r < g.ny; r++) for (let c = 0; c < g.nx; c++) {
      const x = box.x0 + (c + 0.5) * (10 / 40);
      const y = box.y0 + (r + 0.5) * (7 / 30);
      const want = 0.3 * gauss2(x, y, [-2, 0], [[1, 0.3], [0.3, 0.5]]) + 0.7 * gauss2(x, y, [2, 1], [[1, 0], [0, 2]]);
      worst = Math.max(worst, Math.abs(g.values[r * g.nx + c] - want));
    }
    expect(worst).toBeLessThan(1e-14);
    // Swapped coordinates give the transposed density.
    expect(marginal2(mixture, 1, 0, 0.4, -1.2)).toBeCloseTo(marginal2(mixture, 0, 1, -1.2, 0.4), 15);
    expect(marginal1(mixture, 1, 0.7)).toBeCloseTo(0.3 * gauss1(0.7, 0, 0.5) + 0.7 * gauss1(0.7, 1, 2), 15);
  });

  it('banana (x1, x2) is N(x1; 0, s1^2) N(x2 - b (x1^2 - a^2); 0, s2^2), and its marginals integrate it', () => {
    for (const [x, y] of [[0, 0], [1.2, -0.3], [-2, 1.5]]) {
      expect(marginal2(banana, 0, 1, x, y)).toBeCloseTo(gauss1(x, 0, 2.25) * gauss1(y - 0.5 * (x * x - 1), 0, 0.36), 14);
    }
    // x2 alone: the quadrature in marginal1 against a trapezoid over x1 of the joint density.
    for (const y of [-1, -0.3, 0.5, 2, 4]) {
      let s = 0;
      const h = 0.001;
      for (let x = -12; x <= 12; x += h) s += marginal2(banana, 0, 1, x, y) * h;
      expect(marginal1(banana, 1, y)).toBeCloseTo(s, 6);
    }
    // Pairs without the twisted pair factorize; the third coordinate is N(0, 4).
    expect(marginal2(banana, 1, 2, 0.3, 1)).toBeCloseTo(marginal1(banana, 1, 0.3) * gauss1(1, 0, 4), 14);
    expect(marginal2(banana, 2, 0, 1, 0.5)).toBeCloseTo(gauss1(1, 0, 4) * gauss1(0.5, 0, 2.25), 14);
  });

  it('grids and curves over the target range hold (almost) all the mass', () => {
    const mass = (t: Target, i: number, j: number) => {
      const [x0, x1] = targetRange(t, i);
      const [y0, y1] = targetRange(t, j);
      const g = densityGrid(t, i, j, { x0, x1, y0, y1 }, 200, 200);
      return g.values.reduce((a, v) => a + v, 0) * ((x1 - x0) / 200) * ((y1 - y0) / 200);
    };
    expect(mass(mixture, 0, 1)).toBeGreaterThan(0.99);
    expect(mass(mixture, 0, 1)).toBeLessThan(1.0001);
    expect(mass(banana, 0, 1)).toBeGreaterThan(0.98);
    expect(mass(banana, 1, 2)).toBeGreaterThan(0.98);
    const [lo, hi] = targetRange(banana, 1);
    const c = densityCurve(banana, 1, lo, hi, 2001);
    let s = 0;
    for (let q = 1; q < c.xs.length; q++) s += ((c.ys[q] + c.ys[q - 1]) / 2) * (c.xs[q] - c.xs[q - 1]);
    expect(s).toBeGreaterThan(0.98);
    expect(s).toBeLessThan(1.0001);
  });

  it('the 50% highest-density contour of a Gaussian is at Mahalanobis radius sqrt(2 ln 2)', () => {
    const t = parseTarget({ target: { mean: [1, -1], cov: [[2, 0.8], [0.8, 1]] } })!;
    const g = densityGrid(t, 0, 1, { x0: -6, x1: 8, y0: -7, y1: 5 }, 300, 300);
    const [l50, l90] = hpdLevels(g, [0.5, 0.9]);
    const det = 2 - 0.64;
    const peak = 1 / (2 * Math.PI * Math.sqrt(det));
    // Density at radius r is peak x exp(-r^2 / 2); the HPD region of mass q has r^2 = -2 ln(1 - q).
    expect(l50 / peak).toBeCloseTo(0.5, 2);
    expect(l90 / peak).toBeCloseTo(0.1, 2);
  });
});
