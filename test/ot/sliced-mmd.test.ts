// Sliced Wasserstein, MMD and energy distance against exact 1-D OT and direct O(n^2) formulas written here.
import { describe, expect, it } from 'vitest';
import { slicedWasserstein } from '../../src/ot/sliced';
import { exactOt1d } from '../../src/ot/exact1d';
import { exactOtPoints } from '../../src/ot/exact';
import { energyDistance, mmd2 } from '../../src/ot/mmd';
import { OtInputError } from '../../src/ot/errors';
import { createRng } from '../../src/random';
import { randomPoints, randomWeights, rel } from './helpers';

const dist = (p: number[], q: number[]): number => Math.hypot(...p.map((t, k) => t - q[k]));

/** Independent MMD^2: explicit double sums over index pairs. */
function directMmd2(x: number[][], y: number[][], a: number[], b: number[], k: (p: number[], q: number[]) => number, unbiased: boolean): number {
  const A = a.reduce((s, t) => s + t, 0), B = b.reduce((s, t) => s + t, 0);
  const an = a.map((t) => t / A), bn = b.map((t) => t / B);
  let xx = 0, yy = 0, xy = 0;
  for (let i = 0; i < x.length; i++) for (let j = 0; j < x.length; j++) if (!unbiased || i !== j) xx += an[i] * an[j] * k(x[i], x[j]);
  for (let i = 0; i < y.length; i++) for (let j = 0; j < y.length; j++) if (!unbiased || i !== j) yy += bn[i] * bn[j] * k(y[i], y[j]);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) xy += an[i] * bn[j] * k(x[i], y[j]);
  if (unbiased) {
    xx /= 1 - an.reduce((s, t) => s + t * t, 0);
    yy /= 1 - bn.reduce((s, t) => s + t * t, 0);
  }
  return xx + yy - 2 * xy;
}

describe('sliced Wasserstein', () => {
  it('in 1-D equals the exact 1-D W2^2 for any number of projections (uniform and weighted)', () => {
    const x = randomPoints(1, 40, 1), y = randomPoints(2, 27, 1, 2, 1);
    const exactU = exactOt1d(x.map((p) => p[0]), y.map((p) => p[0])).value;
    const su = slicedWasserstein(x, y, null, null, { projections: 7, seed: 3 });
    expect(rel(su.value, exactU)).toBeLessThan(1e-12);
    expect(rel(su.distance, Math.sqrt(exactU))).toBeLessThan(1e-12);
    const a = randomWeights(4, 40), b = randomWeights(5, 27);
    const exactW = exactOt1d(x.map((p) => p[0]), y.map((p) => p[0]), a, b).value;
    const sw = slicedWasserstein(x, y, a, b, { projections: 3, seed: 9 });
    expect(rel(sw.value, exactW)).toBeLessThan(1e-12);
  });

  it('is deterministic in the seed, and different seeds give different estimates', () => {
    const x = randomPoints(6, 200, 3), y = randomPoints(7, 150, 3, 1, 0.5);
    const s1 = slicedWasserstein(x, y, null, null, { projections: 20, seed: 42 });
    const s2 = slicedWasserstein(x, y, null, null, { projections: 20, seed: 42 });
    const s3 = slicedWasserstein(x, y, null, null, { projections: 20, seed: 43 });
    expect(s1.value).toBe(s2.value);
    expect(s1.value).not.toBe(s3.value);
  });

  it('each projection is an exact 1-D problem and the mean lies below W2^2', () => {
    const x = randomPoints(8, 60, 2), y = randomPoints(9, 60, 2, 1, 1);
    const s = slicedWasserstein(x, y, null, null, { projections: 50, seed: 1 });
    // Projections are 1-Lipschitz, so each sliced term is at most W2^2.
    const w2 = exactOtPoints(x, y).value;
    for (const v of s.perProjection) expect(v).toBeLessThanOrEqual(w2 * (1 + 1e-12));
    expect(s.value).toBeCloseTo(s.perProjection.reduce((p, q) => p + q, 0) / 50, 14);
  });

  it('recovers |t|^2 / d for a translation (Monte Carlo over many directions)', () => {
    const x = randomPoints(10, 100, 3);
    const t = [1, -2, 2];
    const y = x.map((p) => p.map((v, k) => v + t[k]));
    const s = slicedWasserstein(x, y, null, null, { projections: 4000, seed: 5 });
    // E[(theta . t)^2] = |t|^2 / d = 3 for uniform theta on the sphere.
    expect(Math.abs(s.value - 3)).toBeLessThan(0.15);
  });

  it('validates projections, seed and dimensions', () => {
    const x = randomPoints(11, 5, 2);
    expect(() => slicedWasserstein(x, x, null, null, { projections: 0, seed: 1 })).toThrow(/^projections: /);
    expect(() => slicedWasserstein(x, x, null, null, { projections: 2.5, seed: 1 })).toThrow(/^projections: /);
    expect(() => slicedWasserstein(x, x, null, null, { projections: 3, seed: NaN })).toThrow(/^seed: /);
    expect(() => slicedWasserstein(x, randomPoints(12, 5, 3), null, null, { projections: 3, seed: 1 })).toThrow(/^y: .*dimension/);
  });
});

describe('MMD and energy distance against direct double sums', () => {
  const x = randomPoints(20, 23, 3), y = randomPoints(21, 17, 3, 1.3, 0.4);
  const a = randomWeights(22, 23), b = randomWeights(23, 17);
  const u23 = new Array(23).fill(1), u17 = new Array(17).fill(1);
  const h = 0.7;
  const kernels = {
    gaussian: (p: number[], q: number[]) => Math.exp(-(dist(p, q) ** 2) / (2 * h * h)),
    imq: (p: number[], q: number[]) => 1 / Math.sqrt(1 + dist(p, q) ** 2 / (h * h)),
    energy: (p: number[], q: number[]) => -dist(p, q),
  } as const;
  for (const kernel of ['gaussian', 'imq', 'energy'] as const) {
    for (const estimator of ['biased', 'unbiased'] as const) {
      it(`${kernel} kernel, ${estimator}, uniform and weighted`, () => {
        const got = mmd2(x, y, null, null, { kernel, bandwidth: h, estimator }).value;
        expect(rel(got, directMmd2(x, y, u23, u17, kernels[kernel], estimator === 'unbiased'))).toBeLessThan(1e-12);
        const gotW = mmd2(x, y, a, b, { kernel, bandwidth: h, estimator }).value;
        expect(rel(gotW, directMmd2(x, y, a, b, kernels[kernel], estimator === 'unbiased'))).toBeLessThan(1e-12);
      });
    }
  }

  it('the uniform unbiased estimator is the classic 1 / (n (n - 1)) U-statistic', () => {
    const k = kernels.gaussian;
    let xx = 0, yy = 0, xy = 0;
    for (let i = 0; i < 23; i++) for (let j = 0; j < 23; j++) if (i !== j) xx += k(x[i], x[j]);
    for (let i = 0; i < 17; i++) for (let j = 0; j < 17; j++) if (i !== j) yy += k(y[i], y[j]);
    for (let i = 0; i < 23; i++) for (let j = 0; j < 17; j++) xy += k(x[i], y[j]);
    const classic = xx / (23 * 22) + yy / (17 * 16) - (2 * xy) / (23 * 17);
    expect(rel(mmd2(x, y, null, null, { bandwidth: h, estimator: 'unbiased' }).value, classic)).toBeLessThan(1e-12);
  });

  it('energy distance = 2 E|X - Y| - E|X - X\'| - E|Y - Y\'| = biased MMD^2 with the energy kernel', () => {
    let xy = 0, xx = 0, yy = 0;
    for (let i = 0; i < 23; i++) for (let j = 0; j < 17; j++) xy += a[i] * b[j] * dist(x[i], y[j]);
    for (let i = 0; i < 23; i++) for (let j = 0; j < 23; j++) xx += a[i] * a[j] * dist(x[i], x[j]);
    for (let i = 0; i < 17; i++) for (let j = 0; j < 17; j++) yy += b[i] * b[j] * dist(y[i], y[j]);
    const e = energyDistance(x, y, a, b);
    expect(rel(e, 2 * xy - xx - yy)).toBeLessThan(1e-12);
    expect(rel(mmd2(x, y, a, b, { kernel: 'energy' }).value, e)).toBeLessThan(1e-12);
    expect(energyDistance(x, x, a, a)).toBeLessThan(1e-15);
    expect(rel(energyDistance(x, y, a, b), energyDistance(y, x, b, a))).toBeLessThan(1e-12);
  });

  it('1-D energy distance matches SciPy\'s closed form: 2 * integral (F - G)^2 (scipy.stats.energy_distance squared)', () => {
    const xs = [0, 1, 3], ys = [0.5, 2];
    // F, G piecewise constant on the sorted breakpoints 0, .5, 1, 2, 3.
    const F = (t: number) => xs.filter((v) => v <= t).length / 3, G = (t: number) => ys.filter((v) => v <= t).length / 2;
    const br = [0, 0.5, 1, 2, 3];
    let integral = 0;
    for (let k = 0; k + 1 < br.length; k++) integral += (F(br[k]) - G(br[k])) ** 2 * (br[k + 1] - br[k]);
    expect(rel(energyDistance(xs, ys, null, null), 2 * integral)).toBeLessThan(1e-14);
  });

  it('validates kernel, bandwidth and estimator', () => {
    const err = (fn: () => unknown): OtInputError => {
      try {
        fn();
      } catch (e) {
        return e as OtInputError;
      }
      throw new Error('no error');
    };
    expect(err(() => mmd2(x, y, null, null, { kernel: 'laplace' as never })).field).toBe('kernel');
    expect(err(() => mmd2(x, y, null, null, { bandwidth: 0 })).field).toBe('bandwidth');
    expect(err(() => mmd2(x, y, null, null, { estimator: 'x' as never })).field).toBe('estimator');
    expect(err(() => mmd2([[0, 0, 0]], y, null, null, { estimator: 'unbiased' })).field).toBe('x');
    expect(err(() => energyDistance(x, y, a, b.map((t) => t * 2))).field).toBe('b');
  });
});

describe('seeded random numbers (src/random.ts)', () => {
  it('is reproducible, uniform in [0, 1) and normal with the right moments', () => {
    const r1 = createRng(123), r2 = createRng(123);
    for (let i = 0; i < 100; i++) expect(r1.nextUint32()).toBe(r2.nextUint32());
    const r = createRng(7);
    let s = 0, s2 = 0, mn = 1, mx = 0;
    const N = 100000;
    for (let i = 0; i < N; i++) {
      const u = r.uniform();
      mn = Math.min(mn, u);
      mx = Math.max(mx, u);
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(mn).toBeGreaterThanOrEqual(0);
    expect(mx).toBeLessThan(1);
    expect(Math.abs(s / N)).toBeLessThan(0.02);
    expect(Math.abs(s2 / N - 1)).toBeLessThan(0.02);
    expect(createRng(1).uniform()).not.toBe(createRng(2).uniform());
    expect(() => createRng(NaN)).toThrow(/seed/);
  });
});
