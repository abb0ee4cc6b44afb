// Lab benchmarks: pool throughput (1 vs 2 workers), metric rows ingested into SQLite, main event-loop delay.
// Everything goes through LabService with the built worker (dist/workers/run-worker.mjs) and a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { openLabDatabase } from '../../db/lab-db';
import { LabService } from '../../main/lab-service';
import { findWorkerFile } from '../../main/paths';
import type { BenchRow } from './table';
import { spd } from '../lab/helpers';

const here = path.dirname(fileURLToPath(import.meta.url));

function denseSetup(d: number, iterations: number, runs: number): Record<string, unknown> {
  return {
    name: `bench d=${d}`,
    problem: { kind: 'gaussian-kl', target: { mean: new Array(d).fill(0), cov: spd(d, 1, 1) }, init: { mean: new Array(d).fill(1), cov: spd(d, 3, 2) } },
    scheme: { kind: 'jko', step: 0.05 },
    iterations,
    seeds: Array.from({ length: runs / 2 }, (_, i) => i),
    sweep: { 'scheme.kind': ['jko', 'fb'] },
  };
}

interface Measured {
  readonly seconds: number;
  readonly metricRows: number;
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
  readonly allDone: boolean;
}

/** Queues one setup on a fresh service and database, and measures until the pool is idle. */
async function measure(workers: number, setup: Record<string, unknown>, dir: string): Promise<Measured> {
  const dbPath = path.join(dir, `bench-${workers}-${Date.now()}.sqlite`);
  const service = new LabService({ dbPath, workers, workerFile: findWorkerFile(here), appVersion: 'bench' });
  await service.start();
  let metricRows = 0;
  // A listener like the app's (events are built as they would be for the renderer).
  service.onEvent((e) => {
    if (e.type === 'metrics') metricRows += e.iterations.length * e.names.length;
  });
  // Steady state, as in a long-lived app: every pool thread has loaded the worker module and JIT-compiled the
  // scheme before the clock starts (a cold thread's first run takes up to twice as long).
  const warm = await service.saveSetup({ setup: { ...setup, name: 'warm-up', iterations: Math.max(1, Math.round(Number(setup.iterations) / 5)), seeds: Array.from({ length: 2 * workers }, (_, i) => i) } });
  await service.queueSetup({ setupId: warm.id });
  await service.whenIdle();
  const saved = await service.saveSetup({ setup });
  metricRows = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const t0 = performance.now();
  const { runIds } = await service.queueSetup({ setupId: saved.id });
  await service.whenIdle();
  const seconds = (performance.now() - t0) / 1000;
  loop.disable();
  const runs = await service.listRuns({ setupId: saved.id });
  await service.close();
  return {
    seconds,
    metricRows,
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    allDone: runs.length === runIds.length && runs.every((r) => r.status === 'done'),
  };
}

/** The insert path alone: LabDatabase.insertMetrics, exactly as the service calls it for each worker batch. */
function ingestDirect(dir: string, tag: string): { rowsPerSecond: number; rowsPerCpuSecond: number; rows: number } {
  const db = openLabDatabase(path.join(dir, `ingest-${tag}.sqlite`));
  try {
    const names = ['objective', 'kl', 'w2sq', 'bound_w2sq'];
    const runIds = db.insertRuns(Array.from({ length: 16 }, (_, i) => ({
      setupId: null, name: 'ingest', label: `run ${i}`, problemKind: 'gaussian-kl', scheme: 'fb', step: 0.1, seed: i,
      sweepJson: '{}', specJson: '{}', iterations: 1_000_000, appVersion: 'bench',
    })));
    const rowsPerBatch = 1024;
    const batches = 20;
    const iterations = new Int32Array(rowsPerBatch);
    const wallMs = new Float64Array(rowsPerBatch);
    const values = new Float64Array(rowsPerBatch * names.length);
    for (let i = 0; i < values.length; i++) values[i] = Math.exp(-i / 997) * (1 + i / 3);
    let rows = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) {
      for (const runId of runIds) {
        for (let r = 0; r < rowsPerBatch; r++) {
          iterations[r] = b * rowsPerBatch + r;
          wallMs[r] = iterations[r] * 0.01;
        }
        db.insertMetrics(runId, { names, iterations, wallMs, values });
        rows += rowsPerBatch * names.length;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { rowsPerSecond: rows / seconds, rowsPerCpuSecond: rows / ((cpu.user + cpu.system) / 1e6), rows };
  } finally {
    db.close();
  }
}

/**
 * Calibration: how much faster two threads finish two plain CPU loops than one thread finishes one, on this
 * machine right now (2.0 on two idle cores; less when other processes share them). Best of two rounds.
 */
async function rawThreadScaling(): Promise<number> {
  const code = `const { parentPort } = require('node:worker_threads'); let x = 0; for (let i = 0; i < 1.5e8; i++) x += Math.sqrt(i); parentPort.postMessage(x);`;
  const run = async (n: number): Promise<number> => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', resolve);
      w.once('error', reject);
    })));
    return performance.now() - t0;
  };
  let best = 0;
  for (let round = 0; round < 2; round++) {
    const one = await run(1);
    const two = await run(2);
    best = Math.max(best, (2 * one) / two);
  }
  return best;
}

export async function runLabBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wgflab-bench-'));
  const cores = os.availableParallelism();
  try {
    const rows: BenchRow[] = [];

    // 1. Throughput: 16 dense runs (d = 60, jko and fb, a few hundred ms each), 1 vs 2 workers.
    const heavy = denseSetup(60, 100, 16);
    // Best of two alternating rounds: the machine may be shared, and the best round is the least disturbed one.
    const best = (a: Measured, b: Measured): Measured => (a.seconds <= b.seconds ? a : b);
    let one = await measure(1, heavy, dir);
    let two = await measure(2, heavy, dir);
    one = best(one, await measure(1, heavy, dir));
    two = best(two, await measure(2, heavy, dir));
    const ratio = one.seconds / two.seconds;
    rows.push({
      name: 'throughput, 16 runs (gaussian-kl dense d=60, 100 its), 2 workers, best of 2',
      value: 16 / two.seconds,
      unit: 'runs/s',
      baseline: { label: '1 worker', value: 16 / one.seconds },
      target: 'ratio >= 1.8',
      pass: ratio >= 1.8 && one.allDone && two.allDone,
      note: `${one.seconds.toFixed(2)} s with 1 worker, ${two.seconds.toFixed(2)} s with 2 (${cores} cores available)${one.allDone && two.allDone ? '' : '; SOME RUNS NOT DONE'}`,
    });

    const scaling = await rawThreadScaling();
    rows.push({
      name: 'calibration: plain CPU loop, 2 threads vs 1 (machine headroom)',
      value: scaling,
      unit: 'x',
      note: 'the best pool ratio this machine allows right now; 2.0 on two idle cores',
    });

    // 2. Event-loop delay of the main thread while the 2-worker pool is full.
    rows.push({
      name: 'main event-loop delay p99, full pool (2 workers)',
      value: two.loopP99Ms,
      unit: 'ms',
      target: '< 20 ms',
      pass: two.loopP99Ms < 20,
      note: `max ${two.loopMaxMs.toFixed(1)} ms`,
    });

    // 3. Metric ingestion: the insert path alone, then end to end (worker -> port -> SQLite) with runs that
    //    emit rows as fast as they can (d = 1: a few microseconds per iteration, 4 metrics per iteration).
    const direct = [ingestDirect(dir, 'a'), ingestDirect(dir, 'b'), ingestDirect(dir, 'c')].reduce((x, y) => (x.rowsPerSecond >= y.rowsPerSecond ? x : y));
    rows.push({
      name: 'metric rows ingested into SQLite (insert path, 1024-row batches, best of 3)',
      value: direct.rowsPerSecond,
      unit: 'rows/s',
      target: '>= 500k rows/s',
      pass: direct.rowsPerSecond >= 500_000,
      note: `${direct.rows} rows (run, metric, iteration, value, wall_ms) in 4-metric batches of 1024 iterations; ${Math.round(direct.rowsPerCpuSecond)} rows per CPU second (load average ${os.loadavg()[0].toFixed(1)})`,
    });
    const fast = {
      name: 'bench ingest',
      problem: { kind: 'gaussian-kl', target: { mean: [0], cov: [[1]] }, init: { mean: [10], cov: [[100]] } },
      scheme: { kind: 'fb', step: 0.001 },
      iterations: 250_000,
      seeds: [0, 1, 2, 3],
    };
    const e2e = await measure(1, fast, dir);
    rows.push({
      name: 'metric rows ingested end to end (1 worker, d=1 fb runs)',
      value: e2e.metricRows / e2e.seconds,
      unit: 'rows/s',
      target: '>= 500k rows/s',
      pass: e2e.metricRows / e2e.seconds >= 500_000 && e2e.allDone,
      note: `${e2e.metricRows} rows in ${e2e.seconds.toFixed(2)} s, includes the simulation itself; event-loop p99 ${e2e.loopP99Ms.toFixed(1)} ms, max ${e2e.loopMaxMs.toFixed(1)} ms`,
    });
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
