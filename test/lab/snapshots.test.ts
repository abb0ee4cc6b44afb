// Snapshots through the real pool and SQLite file: storage, API, events, re-queue, export --snapshots, and kill -9
// with snapshots in flight.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openLabDatabase } from '../../db/lab-db';
import type { LabEvent } from '../../src/api';
import { CLI, gaussianSetup, makeService, removeTempDirs, ROOT, tempDir } from './helpers';

afterAll(removeTempDirs);

const points = [[0.1, 0.2], [-0.3, 0.5], [1.2, -0.4], [2, 1], [-1, -1.5], [0.7, 0.3]];
const mixture = { kind: 'mixture', weights: [0.3, 0.7], means: [[-2, 0], [2, 1]], covs: [[[1, 0.3], [0.3, 0.5]], [[1, 0], [0, 1]]] };
const svgdSetup = (o: Record<string, unknown> = {}) => ({
  name: 'svgd snapshots',
  problem: { kind: 'kl', target: mixture, init: { kind: 'points', points } },
  scheme: { kind: 'svgd', step: 0.05, bandwidth: 'median' },
  iterations: 50, metrics_every: 5, snapshots: { every: 10 }, seeds: [0],
  ...o,
});

describe('snapshots', () => {
  it('are stored at k = 0, every K and the last iteration, served by the API with events, and replaced on re-queue', async () => {
    const service = makeService(path.join(tempDir(), 'lab.sqlite'), { workers: 1 });
    await service.start();
    try {
      const events: LabEvent[] = [];
      service.onEvent((e) => events.push(e));
      const rec = await service.saveSetup({ setup: svgdSetup({ iterations: 47 }) });
      const { runIds: [id] } = await service.queueSetup({ setupId: rec.id });
      await service.whenIdle();
      const run = await service.getRun({ id });
      expect(run.status).toBe('done');
      const [index] = await service.listSnapshots({ runIds: [id] });
      expect(index.iterations).toEqual([0, 10, 20, 30, 40, 47]);
      expect(events.filter((e) => e.type === 'snapshot').map((e) => (e as { iteration: number }).iteration)).toEqual([0, 10, 20, 30, 40, 47]);
      const [first, last] = await service.getSnapshots({ runId: id, iterations: [0, 47, 5] });
      expect(first.kind).toBe('particles');
      if (first.kind !== 'particles' || last.kind !== 'particles') throw new Error('particles expected');
      expect([first.n, first.dim]).toEqual([6, 2]);
      expect(first.positions).toEqual(points.flat().map((v) => Math.fround(v)));
      expect(last.positions.some((v, i) => Math.abs(v - first.positions[i]) > 1e-3)).toBe(true);
      // metric definitions are stored; sparse metrics exist only at their cadence
      expect(run.metricDefs.map((d) => d.name)).toEqual(run.metricNames);
      expect(run.metricDefs.find((d) => d.name === 'entropy')?.cadence).toBe('sparse');
      const [entropy] = await service.getMetrics({ runIds: [id], metric: 'entropy' });
      expect(entropy.iterations).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 47]);
      const [energy] = await service.getMetrics({ runIds: [id], metric: 'energy' });
      expect(energy.iterations).toHaveLength(48);
      expect(run.final.entropy).toBe(entropy.values[entropy.values.length - 1]);
      expect(run.params).toMatchObject({ 'scheme.kind': 'svgd', 'scheme.step': 0.05, 'scheme.bandwidth': 'median', seed: 0 });

      await service.requeueRun({ id });
      expect((await service.listSnapshots({ runIds: [id] }))[0].iterations).toEqual([]);
      await service.whenIdle();
      expect((await service.listSnapshots({ runIds: [id] }))[0].iterations).toEqual([0, 10, 20, 30, 40, 47]);
      const again = await service.getSnapshots({ runId: id, iterations: [47] });
      expect(again[0]).toEqual(last); // deterministic scheme: the same positions
    } finally {
      await service.close();
    }
  });

  it('are exported by the CLI with --snapshots: particle positions as points, Gaussian mean and cov', () => {
    const dir = tempDir();
    const db = path.join(dir, 'lab.sqlite');
    const file = path.join(dir, 'setups.json');
    writeFileSync(file, JSON.stringify(svgdSetup({ iterations: 20 })));
    expect(spawnSync(process.execPath, [CLI, 'run', file, '--db', db], { cwd: ROOT, encoding: 'utf8' }).status).toBe(0);
    writeFileSync(file, JSON.stringify({ ...gaussianSetup({ iterations: 6 }), snapshots: { every: 3 } }));
    expect(spawnSync(process.execPath, [CLI, 'run', file, '--db', db], { cwd: ROOT, encoding: 'utf8' }).status).toBe(0);
    const r = spawnSync(process.execPath, [CLI, 'export', '--db', db, '--format', 'json', '--snapshots'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: { snapshots: { iteration: number; positions?: number[][]; mean?: number[]; cov?: number[][] }[] }[] };
    const [particles, gaussian] = out.runs;
    expect(particles.snapshots.map((s) => s.iteration)).toEqual([0, 10, 20]);
    expect(particles.snapshots[0].positions).toEqual(points.map((p) => p.map((v) => Math.fround(v))));
    expect(gaussian.snapshots.map((s) => s.iteration)).toEqual([0, 3, 6]);
    expect(gaussian.snapshots[0].mean).toEqual([1, 1]);
    expect(gaussian.snapshots[0].cov).toHaveLength(2);
    expect(gaussian.snapshots[0].cov![0][1]).toBeCloseTo((gaussianSetup().problem as { init: { cov: number[][] } }).init.cov[0][1], 12);
    const plain = spawnSync(process.execPath, [CLI, 'export', '--db', db, '--format', 'json'], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(plain.stdout).runs[0].snapshots).toBeUndefined();
    expect(spawnSync(process.execPath, [CLI, 'export', '--db', db, '--format', 'csv', '--snapshots'], { cwd: ROOT, encoding: 'utf8' }).status).toBe(2);
  });

  it('survive kill -9 with snapshots in flight: the file is intact and resume completes every run once', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'lab.sqlite');
    const file = path.join(dir, 'long.json');
    const iterations = 600;
    writeFileSync(file, JSON.stringify(svgdSetup({
      iterations, metrics_every: 50, snapshots: { every: 1 }, seeds: [0, 1],
      problem: { kind: 'kl', target: mixture, init: { kind: 'gaussian', mean: [0, 0], cov: { diag: [1, 1] }, particles: 400 }, metrics: ['energy'] },
    })));
    const child = spawn(process.execPath, [CLI, 'run', file, '--db', db, '--workers', '2'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error('no snapshots stored in time');
      await new Promise((r) => setTimeout(r, 50));
      if (!existsSync(db)) continue;
      try {
        const reader = new Database(db, { readonly: true, fileMustExist: true });
        const n = (reader.prepare('SELECT count(*) AS n FROM snapshots').get() as { n: number }).n;
        reader.close();
        if (n > 30) break;
      } catch {
        // schema not created yet
      }
    }
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    const after = openLabDatabase(db);
    try {
      expect(after.integrityCheck()).toEqual(['ok']);
      const running = after.listRuns().filter((r) => r.status === 'running');
      expect(running.length).toBeGreaterThanOrEqual(1);
      for (const r of running) {
        const its = after.snapshotIndex(r.id).map((s) => s.iteration);
        // a gap-free prefix, never past the stored metrics
        expect(its).toEqual(Array.from({ length: its.length }, (_, i) => i));
        expect(its.length ? its[its.length - 1] : -1).toBeLessThanOrEqual(r.last_iteration);
      }
    } finally {
      after.close();
    }
    const resumed = spawnSync(process.execPath, [CLI, 'resume', '--db', db, '--workers', '2'], { cwd: ROOT, encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    const final = openLabDatabase(db);
    try {
      expect(final.integrityCheck()).toEqual(['ok']);
      for (const r of final.listRuns()) {
        expect(r.status).toBe('done');
        expect(final.snapshotIndex(r.id).map((s) => s.iteration)).toEqual(Array.from({ length: iterations + 1 }, (_, i) => i));
      }
    } finally {
      final.close();
    }
  });
});
