// Grouping statistics against direct computation.
import { describe, expect, it } from 'vitest';
import { groupOf, quantileSorted, summarise, thinSummary } from '../src/analysis/grouping';

const runs = [
  { x: [0, 1, 2, 3], y: [4, 2, 1, 0.5] },
  { x: [0, 1, 2], y: [6, 3, 2] },
  { x: [0, 1, 2, 3], y: [5, 1, 0, 0.25] },
];

describe('grouping', () => {
  it('mean and sample standard deviation at each x over the runs that have it', () => {
    const s = summarise(runs, { center: 'mean', band: 'std' });
    expect(s.x).toEqual([0, 1, 2, 3]);
    expect(s.count).toEqual([3, 3, 3, 2]);
    expect(s.center[0]).toBeCloseTo(5, 14);
    expect(s.hi[0] - s.center[0]).toBeCloseTo(1, 14); // sd of 4, 6, 5
    expect(s.center[1]).toBeCloseTo(2, 14);
    expect(s.hi[1] - s.center[1]).toBeCloseTo(1, 14);
    expect(s.center[3]).toBeCloseTo(0.375, 14);
    expect(s.hi[3] - s.center[3]).toBeCloseTo(Math.sqrt(((0.5 - 0.375) ** 2 + (0.25 - 0.375) ** 2) / 1), 14);
  });

  it('median with min-max and with quantile bands (numpy linear interpolation)', () => {
    const s = summarise(runs, { center: 'median', band: 'minmax' });
    expect(s.center).toEqual([5, 2, 1, 0.375]);
    expect(s.lo).toEqual([4, 1, 0, 0.25]);
    expect(s.hi).toEqual([6, 3, 2, 0.5]);
    const q = summarise(runs, { center: 'median', band: 'quantiles', quantiles: [0.1, 0.9] });
    // numpy.quantile([4, 5, 6], 0.1) = 4.2, 0.9 -> 5.8
    expect(q.lo[0]).toBeCloseTo(4.2, 14);
    expect(q.hi[0]).toBeCloseTo(5.8, 14);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([7], 0.3)).toBe(7);
  });

  it('skips non-finite values, keys groups by the chosen parameters, and thins evenly', () => {
    const s = summarise([{ x: [0, 1], y: [1, NaN] }, { x: [0, 1], y: [3, 5] }], { center: 'mean', band: 'none' });
    expect(s.center).toEqual([2, 5]);
    expect(s.count).toEqual([2, 1]);
    const a = groupOf({ 'scheme.kind': 'svgd', 'scheme.step': 0.1, seed: 1 }, ['scheme.kind']);
    const b = groupOf({ 'scheme.kind': 'svgd', 'scheme.step': 0.2, seed: 2 }, ['scheme.kind']);
    expect(a.key).toBe(b.key);
    expect(a.label).toBe('scheme.kind=svgd');
    expect(groupOf({ 'scheme.step': 0.1 }, ['scheme.step']).key).not.toBe(groupOf({ 'scheme.step': 0.2 }, ['scheme.step']).key);
    const big = summarise([{ x: Array.from({ length: 1001 }, (_, i) => i), y: Array.from({ length: 1001 }, (_, i) => i) }], { center: 'mean', band: 'none' });
    const t = thinSummary(big, 11);
    expect(t.x).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });
});

import { diffConfigs } from '../src/analysis/diff';

describe('diff', () => {
  it('lists only the fields that differ, side by side, including fields one run lacks', () => {
    const a = { scheme: { kind: 'svgd', step: 0.1, bandwidth: 'median' }, problem: { kind: 'kl', init: { mean: [0, 1] } }, seed: 0 };
    const b = { scheme: { kind: 'svgd', step: 0.2, bandwidth: 'median' }, problem: { kind: 'kl', init: { mean: [0, 2] } }, seed: 0 };
    const c = { scheme: { kind: 'ula', step: 0.2 }, problem: { kind: 'kl', init: { mean: [0, 2] } }, seed: 1 };
    expect(diffConfigs([a, b])).toEqual([
      { path: 'problem.init.mean[1]', values: [1, 2] },
      { path: 'scheme.step', values: [0.1, 0.2] },
    ]);
    expect(diffConfigs([a, b, c]).map((r) => r.path)).toEqual(['problem.init.mean[1]', 'scheme.bandwidth', 'scheme.kind', 'scheme.step', 'seed']);
    expect(diffConfigs([a, b, c]).find((r) => r.path === 'scheme.bandwidth')!.values).toEqual(['median', 'median', undefined]);
    expect(diffConfigs([a, structuredClone(a)])).toEqual([]);
  });
});
