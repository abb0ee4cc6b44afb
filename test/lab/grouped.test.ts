// getGroupedMetrics on a real service: groups by parameters, center and band over seeds, time axis t = k x step.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeService, removeTempDirs, tempDir } from './helpers';

afterAll(removeTempDirs);

describe('grouped metrics', () => {
  it('groups 2 schemes x 2 steps x 3 seeds by scheme, with the mean and band of the stored series', async () => {
    const service = makeService(path.join(tempDir(), 'lab.sqlite'), { workers: 2 });
    await service.start();
    try {
      const setup = {
        name: 'grouped', iterations: 20, seeds: [0, 1, 2], metrics_every: 5,
        problem: { kind: 'kl', target: { kind: 'gaussian', mean: [0], cov: [[1]] }, init: { kind: 'gaussian', mean: [4], cov: [[0.5]], particles: 40 }, metrics: ['energy'] },
        scheme: { kind: 'ula', step: 0.1 },
        sweep: { 'scheme.kind': ['ula', 'mala'], 'scheme.step': [0.05, 0.1] },
      };
      const rec = await service.saveSetup({ setup });
      const { runIds } = await service.queueSetup({ setupId: rec.id });
      await service.whenIdle();
      const groups = await service.getGroupedMetrics({ runIds, metric: 'energy', groupBy: ['scheme.kind'], center: 'mean', band: 'minmax', x: 'iteration' });
      expect(groups.map((g) => g.label)).toEqual(['scheme.kind=ula (6 runs)', 'scheme.kind=mala (6 runs)']);
      for (const g of groups) {
        const series = await service.getMetrics({ runIds: g.runIds, metric: 'energy' });
        expect(g.x).toEqual(Array.from({ length: 21 }, (_, k) => k));
        g.x.forEach((_, i) => {
          const at = series.map((s) => s.values[i]);
          expect(g.center[i]).toBeCloseTo(at.reduce((a, b) => a + b, 0) / at.length, 12);
          expect(g.lo[i]).toBe(Math.min(...at));
          expect(g.hi[i]).toBe(Math.max(...at));
          expect(g.count[i]).toBe(6);
        });
      }
      // time axis: steps 0.05 and 0.1 put their points at k x step
      const bySteps = await service.getGroupedMetrics({ runIds, metric: 'energy', groupBy: ['scheme.kind', 'scheme.step'], center: 'median', band: 'std', x: 'time' });
      expect(bySteps).toHaveLength(4);
      const slow = bySteps.find((g) => g.key['scheme.step'] === 0.05 && g.key['scheme.kind'] === 'ula')!;
      expect(slow.x[slow.x.length - 1]).toBeCloseTo(1, 12);
      expect(slow.count.every((c) => c === 3)).toBe(true);
      await expect(service.getGroupedMetrics({ runIds: [9999], metric: 'energy', groupBy: [], center: 'mean', band: 'std', x: 'iteration' })).rejects.toThrow(/run 9999 does not exist/);
    } finally {
      await service.close();
    }
  });
});
