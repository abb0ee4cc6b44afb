// getGroupedMetrics on a real service: groups by parameters, center and band over seeds, time axis t = k x step.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeService, removeTempDirs, tempDir } from './helpers';
import { summarise, thinSummary } from '../../src/analysis/grouping';

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

describe('grouped metrics of long dense series', () => {
  it('reads only the kept iterations and gives what summarising every row and thinning gives', async () => {
    const service = makeService(path.join(tempDir(), 'lab.sqlite'), { workers: 2 });
    await service.start();
    try {
      const base = { problem: { kind: 'gaussian-kl', target: { mean: [0], cov: [[1]] }, init: { mean: [3], cov: [[2]] } }, scheme: { kind: 'fb', step: 0.1 }, seeds: [0], sweep: { 'scheme.step': [0.05, 0.1, 0.2] } };
      const a = await service.saveSetup({ setup: { ...base, name: 'long', iterations: 60 } });
      const b = await service.saveSetup({ setup: { ...base, name: 'short', iterations: 41 } });
      const runIds = [...(await service.queueSetup({ setupId: a.id })).runIds, ...(await service.queueSetup({ setupId: b.id })).runIds];
      await service.whenIdle();
      const full = await service.getMetrics({ runIds, metric: 'kl' });
      const stepOf = (id: number) => (full.find((s) => s.runId === id) ? [0.05, 0.1, 0.2][runIds.indexOf(id) % 3] : 1);
      for (const [x, groupBy] of [['iteration', []], ['time', ['scheme.step']], ['time', []], ['wall', []]] as const) {
        const groups = await service.getGroupedMetrics({ runIds, metric: 'kl', groupBy: [...groupBy], center: 'median', band: 'quantiles', quantiles: [0.1, 0.9], x, maxPoints: 7 });
        for (const g of groups) {
          const series = full.filter((s) => g.runIds.includes(s.runId)).map((s) => ({
            x: x === 'wall' ? s.wallMs.map((w) => w / 1000) : x === 'time' ? s.iterations.map((k) => k * stepOf(s.runId)) : s.iterations,
            y: s.values,
          }));
          const direct = thinSummary(summarise(series, { center: 'median', band: 'quantiles', quantiles: [0.1, 0.9] }), 7);
          expect(g.x).toHaveLength(7);
          expect({ x: g.x, center: g.center, lo: g.lo, hi: g.hi, count: g.count }).toEqual(direct);
        }
      }
    } finally {
      await service.close();
    }
  });
});

describe('run management', () => {
  it('deletes runs with their series and snapshots (by id and a setup\'s runs in bulk), annotates notes and tags', async () => {
    const dbPath = path.join(tempDir(), 'lab.sqlite');
    const service = makeService(dbPath, { workers: 1 });
    await service.start();
    try {
      const setup = { name: 'del', iterations: 5, seeds: [0, 1, 2], snapshots: { every: 1 }, problem: { kind: 'gaussian-kl', target: { mean: [0], cov: [[1]] }, init: { mean: [1], cov: [[2]] } }, scheme: { kind: 'fb', step: 0.1 } };
      const rec = await service.saveSetup({ setup });
      const { runIds } = await service.queueSetup({ setupId: rec.id });
      await service.whenIdle();
      const annotated = await service.annotateRun({ id: runIds[0], notes: 'baseline for fig 2', tags: ['fig-2', 'baseline', 'fig-2'] });
      expect(annotated.notes).toBe('baseline for fig 2');
      expect(annotated.tags).toEqual(['fig-2', 'baseline']);
      expect((await service.annotateRun({ id: runIds[0], tags: [] })).notes).toBe('baseline for fig 2');
      const db = service.database;
      expect(db.countSnapshots(runIds[1])).toBe(6);
      expect(await service.deleteRuns({ ids: [runIds[1]] })).toEqual({ deleted: [runIds[1]] });
      expect(db.countSnapshots(runIds[1])).toBe(0);
      expect(db.countSeries(runIds[1], 'kl')).toBe(0);
      await expect(service.getRun({ id: runIds[1] })).rejects.toThrow(/does not exist/);
      expect((await service.deleteRuns({ setupId: rec.id })).deleted).toEqual([runIds[0], runIds[2]]);
      expect(await service.listRuns({})).toEqual([]);
      expect(db.integrityCheck()).toEqual(['ok']);
      await expect(service.deleteRuns({})).rejects.toThrow(/give either ids or setupId/);
    } finally {
      await service.close();
    }
  });
});
