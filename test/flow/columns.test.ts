// Metric definitions and parameter columns as the renderer uses them (renderer/src/composables/metricDefs.ts,
// runParams.ts): no metric name is known to the renderer, old runs without definitions fall back to their names.
import { describe, expect, it } from 'vitest';
import { fallbackDef, unionMetricDefs, valuesSuggestLog } from '../../renderer/src/composables/metricDefs';
import { formatParam, paramSortValue, varyingParams } from '../../renderer/src/composables/runParams';

const def = (name: string, log = true) => ({ name, label: `L(${name})`, log, cadence: 'step' as const });

describe('unionMetricDefs', () => {
  it('keeps the first declaration of each name, in order; runs without definitions contribute their names', () => {
    const u = unionMetricDefs([
      { metricDefs: [def('objective'), def('kl')], final: { objective: 1, kl: 1 } },
      { metricDefs: [def('energy', false), def('kl', false)] },
      { metricDefs: [], final: { w2sq: 3, kl: 2 }, metricNames: ['old'] },
    ]);
    expect(u.map((d) => d.name)).toEqual(['objective', 'kl', 'energy', 'old', 'w2sq']);
    expect(u[1]).toEqual(def('kl'));
    expect(u[4]).toEqual(fallbackDef('w2sq'));
    expect(fallbackDef('x')).toEqual({ name: 'x', label: 'x', log: false, cadence: 'step' });
  });
  it('suggests a log axis for positive values over two decades', () => {
    expect(valuesSuggestLog([[1, 0.1], [0.01, NaN]])).toBe(true);
    expect(valuesSuggestLog([[1, 0.1]])).toBe(false);
    expect(valuesSuggestLog([[1, 0.001, 0]])).toBe(false);
    expect(valuesSuggestLog([])).toBe(false);
  });
});

describe('varyingParams', () => {
  it('lists the paths whose values differ (missing counts), scheme first and seed last', () => {
    const runs = [
      { params: { 'scheme.kind': 'svgd', 'scheme.step': 0.05, 'scheme.bandwidth': 'median', seed: 0, iterations: 100, 'problem.kind': 'kl' } },
      { params: { 'scheme.kind': 'svgd', 'scheme.step': 0.1, 'scheme.bandwidth': 'median', seed: 1, iterations: 100, 'problem.kind': 'kl' } },
      { params: { 'scheme.kind': 'ula', 'scheme.step': 0.1, seed: 0, iterations: 100, 'problem.kind': 'kl', 'problem.init.mean': [0, 1] } },
    ];
    expect(varyingParams(runs)).toEqual(['scheme.kind', 'scheme.bandwidth', 'scheme.step', 'problem.init.mean', 'seed']);
    expect(varyingParams(runs.slice(0, 1))).toEqual([]);
    expect(varyingParams([{ params: { a: [1, 2] } }, { params: { a: [1, 2] } }])).toEqual([]);
    // A swept object ("sweep": {"scheme": [...]}) is left out: its fields are flattened beside it.
    expect(varyingParams([
      { params: { scheme: { kind: 'svgd', step: 0.5 }, 'scheme.kind': 'svgd', 'scheme.step': 0.5 } },
      { params: { scheme: { kind: 'ula', step: 0.05 }, 'scheme.kind': 'ula', 'scheme.step': 0.05 } },
    ])).toEqual(['scheme.kind', 'scheme.step']);
  });
  it('formats and sorts values', () => {
    expect(formatParam(0.1 + 0.2)).toBe('0.3');
    expect(formatParam('median')).toBe('median');
    expect(formatParam([0, 1])).toBe('[0,1]');
    expect(formatParam(undefined)).toBe('');
    expect(paramSortValue(2)).toBe(2);
    expect(paramSortValue(undefined)).toBeNaN();
    expect(paramSortValue(true)).toBe('true');
  });
});
