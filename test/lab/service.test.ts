// LabService with a real Piscina pool (the built dist/workers/run-worker.mjs) and a real SQLite file.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLabDatabase } from '../../db/lab-db';
import { LabService, newRunsOf, thinIndices } from '../../main/lab-service';
import { legacyOwnerIsGone as ownerIsGone } from '../../main/ownership';
import { LabError, type LabEvent, type RunStatus } from '../../src/api';
import { parseSetup } from '../../src/setup/schema';
import { PRESETS } from '../../src/presets/index';
import { divergingSetup, gaussianSetup, makeService, nextEvent, removeTempDirs, tempDir } from './helpers';

afterAll(removeTempDirs);

/** Every metric of every run is exactly 0..lastIteration, once each, and only finite values are stored. */
async function expectCompleteSeries(service: LabService, runId: number, lastIteration: number): Promise<void> {
  const run = await service.getRun({ id: runId });
  expect(run.metricNames.length).toBeGreaterThan(0);
  expect(run.lastIteration).toBe(lastIteration);
  const series = await service.getMetrics({ runIds: [runId] });
  expect(series.map((s) => s.metric)).toEqual(run.metricNames);
  for (const s of series) {
    expect(s.iterations).toEqual(Array.from({ length: lastIteration + 1 }, (_, i) => i));
    expect(s.values.every(Number.isFinite)).toBe(true);
    expect(s.wallMs.length).toBe(lastIteration + 1);
  }
}

async function withService<T>(body: (s: LabService, dbPath: string) => Promise<T>, opts: Parameters<typeof makeService>[1] = {}): Promise<T> {
  const dbPath = path.join(tempDir(), 'lab.sqlite');
  const service = makeService(dbPath, opts);
  await service.start();
  try {
    return await body(service, dbPath);
  } finally {
    await service.close();
  }
}

describe('LabService', () => {
  it('runs 12 runs on 2 workers to done with complete, duplicate-free series, and emits events', async () => {
    await withService(async (service) => {
      const events: LabEvent[] = [];
      service.onEvent((e) => events.push(e));
      const setup = gaussianSetup({ iterations: 1500, seeds: [0, 1, 2], sweep: { 'scheme.kind': ['fb', 'jko', 'ula', 'forward'] } });
      const saved = await service.saveSetup({ setup });
      expect(saved).toMatchObject({ name: 'test setup', runCount: 0, setup });
      const { runIds } = await service.queueSetup({ setupId: saved.id });
      expect(runIds).toHaveLength(12);
      await service.whenIdle();
      const runs = await service.listRuns({ setupId: saved.id });
      expect(runs.map((r) => r.status)).toEqual(new Array(12).fill('done'));
      expect(runs.map((r) => r.label)).toContain('jko, seed 2');
      for (const r of runs) {
        expect(r).toMatchObject({ setupId: saved.id, iterations: 1500, lastIteration: 1500, error: null, problemKind: 'gaussian-kl', step: 0.05 });
        expect(r.startedAt && r.finishedAt).toBeTruthy();
        expect(Number.isFinite(r.final.kl)).toBe(true);
        await expectCompleteSeries(service, r.id, 1500);
      }
      // Never more than `workers` runs running at once, in id order.
      const running: number[] = [];
      let concurrent = 0;
      let peak = 0;
      for (const e of events) {
        if (e.type !== 'run') continue;
        if (e.run.status === 'running' && !running.includes(e.run.id)) {
          running.push(e.run.id);
          concurrent++;
        } else if (e.run.status === 'done') {
          concurrent--;
        }
        peak = Math.max(peak, concurrent);
      }
      expect(peak).toBeLessThanOrEqual(2);
      expect(running).toEqual([...runIds]);
      expect(events.some((e) => e.type === 'metrics')).toBe(true);
      expect(events.some((e) => e.type === 'setups')).toBe(true);
      expect((await service.listSetups({}))[0].runCount).toBe(12);
      const detail = await service.getRun({ id: runIds[5] });
      expect(detail.spec).toMatchObject({ name: 'test setup', iterations: 1500, scheme: { kind: 'jko' }, seed: 2 });
      expect(detail.sweepValues).toEqual({ 'scheme.kind': 'jko' });
      expect(detail.appVersion).toBe('0.0.0-test');
      expect(service.database.integrityCheck()).toEqual(['ok']);

      // Requeue replaces the old series instead of appending to it.
      await service.requeueRun({ id: runIds[0] });
      expect((await service.getRun({ id: runIds[0] })).lastIteration).toBe(-1);
      await service.whenIdle();
      expect((await service.getRun({ id: runIds[0] })).status).toBe('done');
      await expectCompleteSeries(service, runIds[0], 1500);
    });
  });

  it('cancels a queued run at once and a running run through its abort signal; the pool goes on', async () => {
    await withService(async (service) => {
      const saved = await service.saveSetup({ setup: gaussianSetup({ d: 20, iterations: 200_000, seeds: [0, 1, 2, 3] }) });
      const { runIds } = await service.queueSetup({ setupId: saved.id });
      const [a, b, c, d] = runIds;
      await service.cancelRun({ id: c });
      expect((await service.getRun({ id: c })).status).toBe('cancelled');
      await nextEvent(service, (e) => e.type === 'metrics' && e.runId === a);
      await service.cancelRun({ id: a });
      const cancelledA = await service.getRun({ id: a });
      expect(cancelledA.status).toBe('cancelled');
      // The freed slot goes to the next queued run (d), not to the cancelled one (c).
      await nextEvent(service, (e) => e.type === 'metrics' && e.runId === d);
      expect((await service.getRun({ id: b })).status).toBe('running');
      await service.cancelRun({ id: b });
      await service.cancelRun({ id: d });
      await service.whenIdle();
      const statuses = (await service.listRuns({})).map((r) => r.status);
      expect(statuses).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
      // What was stored before the cancel is a gap-free prefix; nothing was written after it.
      const after = await service.getRun({ id: a });
      expect(after.lastIteration).toBe(cancelledA.lastIteration);
      await expectCompleteSeries(service, a, cancelledA.lastIteration);
      await expect(service.cancelRun({ id: a })).rejects.toMatchObject({ code: 'conflict' });
      // A cancelled run can be queued again (from the start) and the restarted worker thread runs it.
      await service.requeueRun({ id: c });
      await nextEvent(service, (e) => e.type === 'metrics' && e.runId === c);
      await service.cancelRun({ id: c });
      await service.whenIdle();
    });
  });

  it('marks a run whose worker throws as failed with its message while the others go on', async () => {
    const dbPath = path.join(tempDir(), 'failing.sqlite');
    // Store a run with a spec the worker rejects, between two good ones (as an older or corrupted file might).
    const db = openLabDatabase(dbPath);
    const parsed = parseSetup(gaussianSetup({ iterations: 300, seeds: [0, 1] }));
    if (!parsed.ok) throw new Error('setup should be valid');
    const rows = newRunsOf(null, parsed.value.runs, 'old');
    const bad = { ...rows[0], specJson: JSON.stringify({ ...JSON.parse(rows[0].specJson), scheme: { kind: 'fb', step: -1 } }) };
    const ids = db.insertRuns([rows[0], bad, rows[1]]);
    db.close();
    const service = makeService(dbPath);
    await service.start();
    try {
      await service.whenIdle();
      const runs = await service.listRuns({});
      expect(runs.map((r) => r.status)).toEqual(['done', 'failed', 'done']);
      expect(runs[1].error).toMatch(`run ${ids[1]} has an invalid spec: scheme.step: must be > 0`);
      await expectCompleteSeries(service, ids[2], 300);
    } finally {
      await service.close();
    }
  });

  it('stops a diverging run as diverged with only finite values stored', async () => {
    await withService(async (service) => {
      const saved = await service.saveSetup({ setup: divergingSetup() });
      const { runIds } = await service.queueSetup({ setupId: saved.id });
      await service.whenIdle();
      const run = await service.getRun({ id: runIds[0] });
      expect(run.status).toBe('diverged');
      expect(run.error).toMatch(/(became (NaN|Infinity|-Infinity)|reached \S+) at iteration \d+/);
      const at = Number(/iteration (\d+)/.exec(run.error!)![1]);
      expect(run.lastIteration).toBe(at - 1);
      expect(run.lastIteration).toBeLessThan(1000);
      await expectCompleteSeries(service, run.id, run.lastIteration);
    });
  });

  it('keeps the event loop free and streams metric events while runs progress', async () => {
    await withService(async (service) => {
      const saved = await service.saveSetup({ setup: gaussianSetup({ d: 16, iterations: 12_000, seeds: [0, 1] }) });
      const metricTimes: number[] = [];
      let doneAt = Infinity;
      service.onEvent((e) => {
        if (e.type === 'metrics') {
          metricTimes.push(performance.now());
          expect(e.values.length).toBe(e.iterations.length * e.names.length);
        } else if (e.type === 'run' && e.run.status === 'done') {
          doneAt = Math.min(doneAt, performance.now());
        }
      });
      // Count timer callbacks that fire while the runs compute. If a run computed on the main thread, no
      // callback could fire before it finished. (The latency target itself, p99 < 20 ms, is measured in
      // `npm run bench`, not asserted here: timings are not reliable on a shared machine.)
      const tickTimes: number[] = [];
      const tick = setInterval(() => tickTimes.push(performance.now()), 5);
      await service.queueSetup({ setupId: saved.id });
      await service.whenIdle();
      clearInterval(tick);
      expect(metricTimes.filter((t) => t < doneAt).length).toBeGreaterThanOrEqual(3);
      const firstMetrics = metricTimes[0];
      expect(tickTimes.filter((t) => t > firstMetrics && t < doneAt).length).toBeGreaterThanOrEqual(5);
    });
  });

  it('stores every row of a fast run under tight flow control (one batch in flight)', async () => {
    await withService(async (service) => {
      const saved = await service.saveSetup({ setup: gaussianSetup({ d: 1, iterations: 20_000, seeds: [0, 1] }) });
      const { runIds } = await service.queueSetup({ setupId: saved.id });
      await service.whenIdle();
      for (const id of runIds) {
        expect((await service.getRun({ id })).status).toBe('done');
        await expectCompleteSeries(service, id, 20_000);
      }
      const [wall] = await service.getMetrics({ runIds: [runIds[0]], metric: 'kl' });
      expect(wall.wallMs.every((t, i) => i === 0 || t >= wall.wallMs[i - 1])).toBe(true);
    }, { maxUnackedBatches: 1, batchRows: 64 });
  });

  it('validates inputs and setups at the boundary', async () => {
    await withService(async (service) => {
      await expect(service.saveSetup({ setup: { name: 'x' } })).rejects.toBeInstanceOf(LabError);
      const err = await service.saveSetup({ setup: gaussianSetup({ step: -1 }) }).catch((e: LabError) => e);
      expect(err).toMatchObject({ code: 'invalid', issues: [{ path: 'scheme.step' }] });
      expect(await service.listSetups({})).toEqual([]);
      await expect(service.getRun({ id: 0 })).rejects.toMatchObject({ code: 'invalid' });
      await expect(service.getRun({ id: 5 })).rejects.toMatchObject({ code: 'not_found' });
      await expect(service.getRun({ id: 1, extra: true } as never)).rejects.toMatchObject({ code: 'invalid' });
      await expect(service.queueSetup({ setupId: 3 })).rejects.toMatchObject({ code: 'not_found' });
      expect(await service.validateSetup({ setup: gaussianSetup({ seeds: [1, 2, 3] }) })).toEqual({
        ok: true, issues: [], runCount: 3,
        // exact Gaussian laws: the seeds change nothing
        warnings: [{ path: 'seeds', message: 'seeds have no effect for this problem and scheme: 3 runs, 1 distinct (use one seed)' }],
      });
      const report = await service.validateSetup({ setup: { ...gaussianSetup(), iterations: 0 } });
      expect(report.ok).toBe(false);
      expect(report.issues[0].path).toBe('iterations');
      expect(await service.listPresets({})).toEqual([...PRESETS]);
      expect(await service.info({})).toMatchObject({ version: '0.0.0-test', workers: 2 });
      // Update and delete a setup; its runs stay.
      const s = await service.saveSetup({ setup: gaussianSetup({ iterations: 5 }) });
      const s2 = await service.saveSetup({ id: s.id, setup: gaussianSetup({ name: 'renamed', iterations: 5 }) });
      expect(s2).toMatchObject({ id: s.id, name: 'renamed' });
      await expect(service.saveSetup({ id: 99, setup: gaussianSetup() })).rejects.toMatchObject({ code: 'not_found' });
      const { runIds } = await service.queueSetup({ setupId: s.id });
      await service.whenIdle();
      await service.deleteSetup({ id: s.id });
      expect((await service.getRun({ id: runIds[0] })).setupId).toBeNull();
      await expect(service.deleteSetup({ id: s.id })).rejects.toMatchObject({ code: 'not_found' });
    });
  });

  it('thins long series evenly, keeping the first and the last point', async () => {
    expect(thinIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(thinIndices(101, 5)).toEqual([0, 25, 50, 75, 100]);
    expect(thinIndices(10, 2)).toEqual([0, 9]);
    const idx = thinIndices(1001, 7);
    expect(new Set(idx).size).toBe(7);
    await withService(async (service) => {
      const saved = await service.saveSetup({ setup: gaussianSetup({ iterations: 1000 }) });
      const { runIds } = await service.queueSetup({ setupId: saved.id });
      await service.whenIdle();
      const [kl] = await service.getMetrics({ runIds, metric: 'kl', maxPoints: 11 });
      expect(kl.iterations).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
      const [full] = await service.getMetrics({ runIds, metric: 'kl' });
      expect(kl.values).toEqual(kl.iterations.map((i) => full.values[i]));
      expect(await service.getMetrics({ runIds, metric: 'nope' })).toEqual([]);
    });
  });

  it('reads large series on the series reader thread (read-only connection), identical to the inline read', async () => {
    await withService(async (service) => {
      const saved = await service.saveSetup({ setup: gaussianSetup({ iterations: 3000, seeds: [0, 1] }) });
      const { runIds } = await service.queueSetup({ setupId: saved.id });
      await service.whenIdle();
      const db = service.database;
      // Every read goes off-thread here (threshold 0): full series and thinned ones match the main connection's rows.
      const full = await service.getMetrics({ runIds });
      expect(full.length).toBeGreaterThanOrEqual(6);
      for (const s of full) expect(s).toEqual({ runId: s.runId, metric: s.metric, ...db.readSeries(s.runId, s.metric) });
      const thin = await service.getMetrics({ runIds, metric: 'kl', maxPoints: 7 });
      expect(thin.map((s) => s.iterations)).toEqual([[0, 500, 1000, 1500, 2000, 2500, 3000], [0, 500, 1000, 1500, 2000, 2500, 3000]]);
      expect(thin[1].values).toEqual(thin[1].iterations.map((i) => full.find((f) => f.runId === runIds[1] && f.metric === 'kl')!.values[i]));
      expect(service.seriesReadsOffThread).toBe(2);
    }, { seriesInlineRows: 0 });
  });

  it('reads thinned rows by primary-key seeks, and falls back to a full read for a series with gaps', () => {
    const db = openLabDatabase(path.join(tempDir(), 'thin.sqlite'));
    const parsed = parseSetup(gaussianSetup({ iterations: 100 }));
    if (!parsed.ok) throw new Error('setup should be valid');
    const [id] = db.insertRuns(newRunsOf(null, parsed.value.runs, 'test'));
    const its = [0, 1, 2, 3, 5, 8, 13];
    db.insertMetrics(id, { names: ['kl'], iterations: its, wallMs: its.map((k) => 10 * k), values: its.map((k) => 1 / (k + 1)) });
    const at = db.readSeriesAt(id, 'kl', [0, 4, 5, 13, 99]);
    expect(at).toEqual({ iterations: [0, 5, 13], values: [1, 1 / 6, 1 / 14], wallMs: [0, 50, 130] });
    expect(db.seriesExtent(id, 'kl')).toEqual({ rows: 7, lastIteration: 13 });
    expect(db.seriesExtent(id, 'nope')).toEqual({ rows: 0, lastIteration: null });
    db.close();
  });

  it('marks runs left running by a dead process as interrupted and resumes them from the start', async () => {
    const dbPath = path.join(tempDir(), 'interrupted.sqlite');
    const db = openLabDatabase(dbPath);
    const parsed = parseSetup(gaussianSetup({ iterations: 400, seeds: [0, 1] }));
    if (!parsed.ok) throw new Error('setup should be valid');
    const [a, b, c] = db.insertRuns(newRunsOf(null, [...parsed.value.runs, parsed.value.runs[0]], 'old'));
    // Run a was half done when its process died; run c is being run by another live process.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    db.markRunning(a, `${os.hostname()}:${dead}`);
    db.insertMetrics(a, { names: ['kl'], iterations: [0, 1, 2], wallMs: [0, 1, 2], values: [3, 2, 1] });
    db.markRunning(c, `${os.hostname()}:${process.ppid}`);
    db.close();
    expect(ownerIsGone(`${os.hostname()}:${dead}`)).toBe(true);
    expect(ownerIsGone(`elsewhere:${process.ppid}`)).toBe(true);
    expect(ownerIsGone(null)).toBe(true);
    const service = makeService(dbPath);
    await service.start();
    try {
      await service.whenIdle();
      const statuses: Record<number, RunStatus> = {};
      for (const r of await service.listRuns({})) statuses[r.id] = r.status;
      expect(statuses).toEqual({ [a]: 'interrupted', [b]: 'done', [c]: 'running' });
      await expect(service.cancelRun({ id: c })).rejects.toMatchObject({ code: 'conflict' });
      expect(await service.resumeInterrupted({})).toEqual({ runIds: [a] });
      await service.whenIdle();
      expect((await service.getRun({ id: a })).status).toBe('done');
      await expectCompleteSeries(service, a, 400);
    } finally {
      await service.close();
    }
  });

  it('close() interrupts running runs so that they can be resumed', async () => {
    const dbPath = path.join(tempDir(), 'close.sqlite');
    const service = makeService(dbPath, { workers: 1 });
    await service.start();
    const saved = await service.saveSetup({ setup: gaussianSetup({ d: 20, iterations: 200_000, seeds: [0, 1] }) });
    const { runIds } = await service.queueSetup({ setupId: saved.id });
    await nextEvent(service, (e) => e.type === 'metrics');
    await service.close();
    await service.whenIdle();
    const db = openLabDatabase(dbPath);
    try {
      expect(db.getRun(runIds[0])?.status).toBe('interrupted');
      expect(db.getRun(runIds[1])?.status).toBe('queued');
      expect(db.integrityCheck()).toEqual(['ok']);
    } finally {
      db.close();
    }
    await expect(service.listRuns({})).rejects.toMatchObject({ code: 'internal' });
  });
});
