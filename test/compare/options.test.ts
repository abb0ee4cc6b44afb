// Compare's pure pieces: grouping options from the URL, the EMA smoothing, and what is drawn (x = time from the
// step, dash patterns after the palette, smoothed groups, the figure input leaving out hidden legend entries).
import { describe, expect, it } from 'vitest';
import { ema, groupOptions, isGrouped, smoothingOf, UNGROUPED_MAX } from '../../renderer/src/composables/compareOptions';
import { DASHES, PALETTE, drawnOf, figureInputOf } from '../../renderer/src/composables/compareSeries';
import type { GroupedSeries } from '../../src/api';

describe('grouping options', () => {
  it('is ungrouped for a few runs and grouped by what varies except the seed for many', () => {
    expect(isGrouped({}, UNGROUPED_MAX)).toBe(false);
    expect(isGrouped({}, UNGROUPED_MAX + 1)).toBe(true);
    expect(groupOptions({}, 40, ['scheme.kind', 'scheme.step', 'seed']).groupBy).toEqual(['scheme.kind', 'scheme.step']);
    expect(groupOptions({ group: '-' }, 40, ['scheme.kind']).groupBy).toBeNull();
    expect(groupOptions({ group: '*' }, 3, ['scheme.kind']).groupBy).toEqual([]);
    expect(groupOptions({ group: 'scheme.step' }, 3, []).groupBy).toEqual(['scheme.step']);
  });
  it('reads center, band and quantile levels, falling back on bad values', () => {
    expect(groupOptions({ center: 'median', band: 'quantiles', q: '0.25,0.75' }, 20, [])).toMatchObject({ center: 'median', band: 'quantiles', quantiles: [0.25, 0.75] });
    expect(groupOptions({ center: 'x', band: 'y', q: '0.9,0.1' }, 20, [])).toMatchObject({ center: 'mean', band: 'std', quantiles: [0.1, 0.9] });
    expect(smoothingOf({ smooth: '0.6' })).toBe(0.6);
    expect(smoothingOf({ smooth: '5' })).toBe(0.99);
    expect(smoothingOf({})).toBe(0);
  });
});

describe('EMA smoothing', () => {
  it('is the bias-corrected exponential moving average', () => {
    const w = 0.5;
    const y = [4, 0, 2, 8];
    let acc = 0;
    const direct = y.map((v, i) => {
      acc = w * acc + (1 - w) * v;
      return acc / (1 - w ** (i + 1));
    });
    expect(ema(y, w)).toEqual(direct);
    expect(ema(y, 0)).toEqual(y);
    expect(ema([3, 3, 3], 0.9).map((v) => Number(v.toFixed(12)))).toEqual([3, 3, 3]);
    expect(ema([1, Number.NaN, 1], 0.5)[1]).toBeNaN();
  });
});

describe('what Compare draws', () => {
  const curve = (runId: number) => ({ runId, metric: 'kl', bound: false, iterations: [0, 1, 2], wallMs: [0, 5, 10], values: [1, 0.5, 0.25] });
  const base = { runIds: Array.from({ length: 22 }, (_, i) => i + 1), groups: null, boundGroups: [], smoothing: 0, labelOf: (id: number) => `#${id}`, boundLabel: (m: string) => `${m} (theory)` };
  it('puts x = k x step for time, and cycles dash patterns after the palette', () => {
    const d = drawnOf({ ...base, curves: base.runIds.map(curve), xMode: 'time', stepOf: (id) => (id === 2 ? undefined : 0.1) });
    expect(d.curves[0].x).toEqual([0, 0.1, 0.2]);
    expect(d.curves[1].x).toEqual([0, 1, 2]);
    expect(d.noStep).toEqual([2]);
    expect(d.curves[0].color).toBe(PALETTE[0]);
    expect(d.curves[20].color).toBe(PALETTE[0]);
    expect(d.curves[0].dash).toBe(DASHES[0]);
    expect(d.curves[20].dash).toBe(DASHES[1]);
  });
  it('smooths group centers and bands, keeps the raw center, and leaves hidden entries out of the figure', () => {
    const g = (kind: string): GroupedSeries => ({ key: { 'scheme.kind': kind }, label: `scheme.kind=${kind} (2 runs)`, runIds: [1, 2], metric: 'kl', x: [0, 1, 2], center: [2, 1, 4], lo: [1, 0, 3], hi: [3, 2, 5], count: [2, 2, 2] });
    const d = drawnOf({ ...base, curves: [], groups: [g('ula'), g('mala')], xMode: 'iteration', smoothing: 0.5, stepOf: () => 0.1 });
    expect(d.groups[0].series.center).toEqual(ema([2, 1, 4], 0.5));
    expect(d.groups[0].rawCenter).toEqual([2, 1, 4]);
    const f = figureInputOf(d, { metricLabel: 'KL', log: true, references: [{ metric: 'kl', value: 0.1, label: 'min' }], hidden: new Set(['scheme.kind=mala (2 runs)', 'min']), width: 400, height: 300 });
    expect(f.groups?.map((x) => x.label)).toEqual(['scheme.kind=ula (2 runs)']);
    expect(f.references).toEqual([]);
    expect(f.xLabel).toBe('iteration k');
  });
});
