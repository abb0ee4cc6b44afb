// Server under load (issue 12): the real browser-mode server (dist/node/serve.mjs, a child process) with 200
// queued runs and 200 concurrent API calls, then a Compare load of those 200 runs at full resolution; `info`
// latency is probed all the while from a separate thread. Baselines from the same run: the idle server, and the
// same Compare load sent the old way (one request, read and serialized on the main thread) to a server with the
// series reader and the streamed answers switched off.
import { rmSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { openLabDatabase } from '../../db/lab-db';
import { api, startServer, type LabServer } from '../e2e/harness';
import type { BenchRow } from './table';

const RUNS = 200;
const ITERATIONS = 2500;
/** Rows per Compare page, as the renderer sends them (renderer/src/composables/useCompare.ts PAGE_ROWS). */
const PAGE_ROWS = 200_000;

/** A thread that calls `info` every 10 ms and records each latency, so that the load's own client work does not count. */
function startProbe(server: LabServer): { ready: Promise<void>; stop: () => Promise<number[]> } {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { origin, token } = workerData;
    const latencies = [];
    let stop = false;
    parentPort.on('message', () => { stop = true; });
    const call = async () => {
      const t0 = performance.now();
      const res = await fetch(origin + '/api/info', { method: 'POST', body: '{}', headers: { Authorization: 'Bearer ' + token } });
      await res.text();
      return performance.now() - t0;
    };
    (async () => {
      // Warm-up (the thread's first fetches compile the HTTP client): not counted.
      for (let i = 0; i < 20; i++) await call();
      parentPort.postMessage('ready');
      while (!stop) {
        latencies.push(await call());
        await new Promise((r) => setTimeout(r, 10));
      }
      parentPort.postMessage(latencies);
    })();`;
  const w = new Worker(code, { eval: true, workerData: { origin: server.origin, token: server.token } });
  const ready = new Promise<void>((resolve) => w.once('message', () => resolve()));
  return {
    ready,
    stop: () => new Promise((resolve, reject) => {
      w.once('message', (l: number[]) => {
        void w.terminate();
        resolve(l);
      });
      w.once('error', reject);
      w.postMessage('stop');
    }),
  };
}

const max = (xs: number[]): number => xs.reduce((m, x) => Math.max(m, x), 0);
const p99 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(0.99 * s.length))] ?? NaN;
};

async function post(server: LabServer, method: string, input: unknown): Promise<number> {
  const res = await fetch(`${server.origin}/api/${method}`, { method: 'POST', body: JSON.stringify(input), headers: { Authorization: `Bearer ${server.token}` } });
  const body = await res.arrayBuffer();
  if (!res.ok) throw new Error(`${method}: ${res.status} ${Buffer.from(body).toString('utf8').slice(0, 200)}`);
  return body.byteLength;
}

/** The renderer's full-resolution Compare load: pages of ~PAGE_ROWS rows, 3 in flight. Returns bytes received. */
async function pagedCompare(server: LabServer, runIds: number[], rowsPerRun: number): Promise<number> {
  const perPage = Math.max(1, Math.floor(PAGE_ROWS / rowsPerRun));
  const pages: number[][] = [];
  for (let i = 0; i < runIds.length; i += perPage) pages.push(runIds.slice(i, i + perPage));
  let bytes = 0;
  let next = 0;
  const lane = async () => {
    while (next < pages.length) bytes += await post(server, 'getMetrics', { runIds: pages[next++] });
  };
  await Promise.all([lane(), lane(), lane()]);
  return bytes;
}

async function idleP99(server: LabServer): Promise<number> {
  const probe = startProbe(server);
  await probe.ready;
  await new Promise((r) => setTimeout(r, 2000));
  return p99(await probe.stop());
}

export async function runLoadBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const server = await startServer({ workers: 2 });
  let old: LabServer | undefined;
  try {
    const idle = await idleP99(server);

    // 1. 200 queued runs and 200 concurrent API calls while they run.
    const setup = await api<{ id: number }>(server, 'saveSetup', {
      setup: {
        name: 'load', problem: { kind: 'gaussian-kl', target: { mean: [0, 0], cov: [[1, 0.3], [0.3, 2]] }, init: { mean: [3, -2], cov: [[4, 1], [1, 3]] } },
        scheme: { kind: 'fb', step: 0.05 }, iterations: ITERATIONS, seeds: Array.from({ length: RUNS }, (_, i) => i),
      },
    });
    const probe1 = startProbe(server);
    await probe1.ready;
    const t0 = performance.now();
    const { runIds } = await api<{ runIds: number[] }>(server, 'queueSetup', { setupId: setup.id });
    const calls = Array.from({ length: 200 }, (_, i) => {
      const id = runIds[i % runIds.length];
      return i % 4 === 0 ? post(server, 'listRuns', {}) : i % 4 === 1 ? post(server, 'getRun', { id }) : post(server, 'getMetrics', { runIds: runIds.slice(0, 50), metric: 'kl', maxPoints: 2048 });
    });
    await Promise.all(calls);
    for (;;) {
      const runs = await api<{ status: string }[]>(server, 'listRuns', {});
      if (runs.every((r) => r.status !== 'queued' && r.status !== 'running')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const runSeconds = (performance.now() - t0) / 1000;
    const whileRunning = await probe1.stop();

    // 2. The Compare load of the 200 runs, every metric at full resolution, paged as the renderer does.
    const rowsPerRun = (ITERATIONS + 1) * 4;
    const probe2 = startProbe(server);
    await probe2.ready;
    const t1 = performance.now();
    const bytes = await pagedCompare(server, runIds, rowsPerRun);
    const compareSeconds = (performance.now() - t1) / 1000;
    const duringCompare = await probe2.stop();
    await server.stop();

    // Every run done and every series complete (0..ITERATIONS once each).
    const db = openLabDatabase(server.dbPath, { mustExist: true });
    let complete = 0;
    let series = 0;
    try {
      for (const r of db.listRuns()) {
        const names = JSON.parse(r.metric_names_json ?? '[]') as string[];
        for (const n of names) {
          series++;
          const { rows: count, lastIteration } = db.seriesExtent(r.id, n);
          if (r.status === 'done' && count === ITERATIONS + 1 && lastIteration === ITERATIONS) complete++;
        }
      }
    } finally {
      db.close();
    }

    // 3. Baseline: the same file, the old way (one request for all 200 runs, read and serialized on the main thread).
    old = await startServer({ workers: 1, dir: server.dir, env: { ...process.env, WGFLAB_SERIES_INLINE_ROWS: 'Infinity', WGFLAB_HTTP_STREAM_ITEMS: 'Infinity' } });
    const probe3 = startProbe(old);
    await probe3.ready;
    const t2 = performance.now();
    await post(old, 'getMetrics', { runIds });
    const oldSeconds = (performance.now() - t2) / 1000;
    const duringOld = await probe3.stop();

    const whileP99 = p99(whileRunning);
    const compareP99 = p99(duringCompare);
    const oldP99 = p99(duringOld);
    rows.push({ name: 'info p99, idle server', value: idle, unit: 'ms', note: `\`info\` every 10 ms from another thread for 2 s after 20 warm-up calls; load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores` });
    rows.push({
      name: `info p99 while ${RUNS} queued runs run, with 200 concurrent API calls`,
      value: whileP99, unit: 'ms', baseline: { label: 'idle', value: idle }, target: '< 50 ms', pass: whileP99 < 50,
      note: `${whileRunning.length} probes, max ${max(whileRunning).toFixed(0)} ms; ${RUNS} runs x ${ITERATIONS + 1} iterations x 4 metrics done in ${runSeconds.toFixed(1)} s on 2 workers`,
    });
    rows.push({
      name: `info p99 during a ${RUNS}-run Compare load (full resolution, paged, read off-thread)`,
      value: compareP99, unit: 'ms', baseline: { label: 'one request, main thread', value: oldP99 }, target: '< 50 ms', pass: compareP99 < 50,
      note: `${(bytes / 1e6).toFixed(0)} MB of series in ${compareSeconds.toFixed(2)} s, info max ${max(duringCompare).toFixed(0)} ms; the old way took ${oldSeconds.toFixed(2)} s with info p99 ${oldP99.toFixed(0)} ms, max ${max(duringOld).toFixed(0)} ms (${duringOld.length} probes)`,
    });
    rows.push({
      name: `series complete after the load (${RUNS} runs x 4 metrics)`,
      value: complete, unit: 'series', target: `= ${RUNS * 4}`, pass: complete === RUNS * 4 && series === RUNS * 4,
    });
    return rows;
  } finally {
    await old?.stop();
    await server.stop();
    rmSync(server.dir, { recursive: true, force: true });
  }
}
