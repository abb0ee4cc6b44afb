// Plot geometry of the Flow view (renderer/src/flow/geometry.ts): ellipses, histograms, ticks, contours.
import { describe, expect, it } from 'vitest';
import { binCount, contourSegments, ellipsePoints, histogram, niceTicks, padRange, quantileRange, tickLabel } from '../../renderer/src/flow/geometry';

describe('ellipsePoints', () => {
  it('every point is at Mahalanobis distance r from the mean, and the curve is closed', () => {
    const [a, b, c] = [2, 0.9, 1.5];
    const det = a * c - b * b;
    for (const r of [1, 2]) {
      const p = ellipsePoints(1, -2, a, b, c, r, 64);
      expect(p.length).toBe(2 * 65);
      for (let q = 0; q < p.length; q += 2) {
        const dx = p[q] - 1;
        const dy = p[q + 1] + 2;
        const m2 = (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
        expect(Math.sqrt(m2)).toBeCloseTo(r, 12);
      }
      expect(p[0]).toBeCloseTo(p[p.length - 2], 12);
      expect(p[1]).toBeCloseTo(p[p.length - 1], 12);
    }
  });
  it('a diagonal covariance gives the axis-aligned ellipse with semi-axes r sd', () => {
    const p = ellipsePoints(0, 0, 4, 0, 1, 2, 4);
    expect(Array.from(p).map((v) => Number(v.toFixed(12)) + 0)).toEqual([4, 0, 0, 2, -4, 0, 0, -2, 4, 0]);
  });
});

describe('histogram', () => {
  it('counts per bin divided by total weight and bin width; hi goes in the last bin; outside points only in the total', () => {
    // Coordinate 1 of 3-D points.
    const xs = [0, 0.1, 0.5, 0.99, 1, 2, -1];
    const pos = xs.flatMap((x) => [9, x, 9]);
    const h = histogram(pos, xs.length, 3, 1, 0, 1, 2);
    // [0, 0.5): 0 and 0.1; [0.5, 1]: 0.5, 0.99 and 1 (hi itself).
    expect(Array.from(h.density)).toEqual([2 / (7 * 0.5), 3 / (7 * 0.5)]);
    expect(h.max).toBe(3 / 3.5);
  });
  it('uses weights', () => {
    const h = histogram([0.1, 0.9], 2, 1, 0, 0, 1, 2, [0.25, 0.75]);
    expect(Array.from(h.density)).toEqual([0.5, 1.5]);
  });
  it('integrates to 1 when every point is inside, and picks about 2 sqrt(n) bins', () => {
    const n = 1000;
    const pos = Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
    const bins = binCount(n);
    expect(bins).toBe(63);
    const h = histogram(pos, n, 1, 0, -3, 3, bins);
    expect(h.density.reduce((s, d) => s + d * (6 / bins), 0)).toBeCloseTo(1, 12);
    expect(binCount(4)).toBe(10);
    expect(binCount(1e6)).toBe(80);
  });
});

describe('ticks and ranges', () => {
  it('nice ticks are 1, 2, 5 x 10^k inside the range', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(-12.3, 5.1, 6)).toEqual([-12, -10, -8, -6, -4, -2, 0, 2, 4]);
    expect(niceTicks(0.001, 0.0042, 3)).toEqual([0.001, 0.002, 0.003, 0.004].map((v) => expect.closeTo(v, 12)));
    expect(niceTicks(1, 1)).toEqual([]);
    expect(tickLabel(0.30000000000000004)).toBe('0.3');
    expect(tickLabel(2e-5)).toBe('2e-5');
  });
  it('quantile and padded ranges', () => {
    const pos = Array.from({ length: 1001 }, (_, i) => [i, i === 0 ? 0 : -i]).flat();
    expect(quantileRange(pos, 1001, 2, 0, 0.01)).toEqual([10, 990]);
    expect(quantileRange(pos, 1001, 2, 1, 0)).toEqual([-1000, 0]);
    expect(padRange(0, 10, 0.1)).toEqual([-1, 11]);
    expect(padRange(3, 3)).toEqual([2, 4]);
  });
});

describe('contourSegments', () => {
  it('the level set of a radial function lies on its circle', () => {
    const n = 61;
    const vals = new Float64Array(n * n);
    // Cell (r, c) centre at (c, r); centre of the picture (30, 30).
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) vals[r * n + c] = Math.hypot(c - 30, r - 30);
    const seg = contourSegments(vals, n, n, 20);
    expect(seg.length).toBeGreaterThan(4 * 100);
    for (let q = 0; q < seg.length; q += 2) expect(Math.abs(Math.hypot(seg[q] - 30, seg[q + 1] - 30) - 20)).toBeLessThan(0.05);
  });
  it('nothing above the maximum, nothing below the minimum; both saddle segments', () => {
    const vals = [1, 0, 0, 1];
    expect(contourSegments(vals, 2, 2, 2).length).toBe(0);
    expect(contourSegments(vals, 2, 2, -1).length).toBe(0);
    expect(contourSegments(vals, 2, 2, 0.5).length).toBe(8);
  });
});

describe('splatPoints (renderer/src/flow/draw.ts)', () => {
  it('blends a size x size square per point at the transformed position, inside the clip only', async () => {
    const { splatPoints, rgbOf } = await import('../../renderer/src/flow/draw');
    expect(rgbOf('#4e79a7')).toEqual([0x4e, 0x79, 0xa7]);
    const w = 10;
    const px = new Uint8ClampedArray(4 * w * 10).fill(200);
    // x_pixel = 2 x + 1, y_pixel = -x2 + 9: the point (2, 4) lands at (5, 5), the square covers 4..5 x 4..5.
    splatPoints(px, w, [0, 0, 10, 10], [2, 4, 100, 100], 2, 2, 0, 1, 2, 1, -1, 9, [0, 100, 200], 0.5, 2);
    const at = (x: number, y: number) => Array.from(px.subarray(4 * (y * w + x), 4 * (y * w + x) + 4));
    expect(at(4, 4)).toEqual([100, 150, 200, 200]);
    expect(at(5, 5)).toEqual([100, 150, 200, 200]);
    expect(at(6, 5)).toEqual([200, 200, 200, 200]);
    expect(at(3, 4)).toEqual([200, 200, 200, 200]);
    // Twice at the same place: the blend accumulates.
    splatPoints(px, w, [0, 0, 10, 10], [2, 4], 1, 2, 0, 1, 2, 1, -1, 9, [0, 100, 200], 0.5, 2);
    expect(at(4, 4)).toEqual([50, 125, 200, 200]);
    // Clipped to [0, 5) x [0, 5): only (4, 4) of the square is drawn.
    const q = new Uint8ClampedArray(4 * w * 10).fill(200);
    splatPoints(q, w, [0, 0, 5, 5], [2, 4], 1, 2, 0, 1, 2, 1, -1, 9, [0, 0, 0], 1, 2);
    expect(Array.from(q).filter((v, i) => i % 4 === 0 && v === 0).length).toBe(1);
  });
});
