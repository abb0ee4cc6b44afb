import { describe, expect, it } from 'vitest';
import { driveSimulation } from '../../src/engine/run';
import type { MetricBatch, Simulation } from '../../src/engine/types';

/** x_{k+1} = r x_k, metrics x_k and x_k^2: closed form r^k x_0. */
function geometric(r: number, x0 = 1): Simulation {
  let x = x0;
  return {
    metricNames: ['x', 'x2'],
    measure(_k, out) { out[0] = x; out[1] = x * x; },
    step() { x *= r; },
  };
}

function collect(batches: MetricBatch[]) {
  const rows: { k: number; x: number; x2: number; wall: number }[] = [];
  for (const b of batches) {
    for (let i = 0; i < b.iterations.length; i++) rows.push({ k: b.iterations[i], x: b.values[i * 2], x2: b.values[i * 2 + 1], wall: b.wallMs[i] });
  }
  return rows;
}

describe('driveSimulation', () => {
  it('records k = 0..iterations exactly once, in batches, with the closed-form values', () => {
    const batches: MetricBatch[] = [];
    const out = driveSimulation(geometric(0.5), { iterations: 100, batchRows: 7, batchMs: 1e9, onBatch: (b) => batches.push(b) });
    expect(out).toEqual({ status: 'done', lastIteration: 100 });
    expect(batches.map((b) => b.iterations.length)).toEqual([...Array(14).fill(7), 3]);
    const rows = collect(batches);
    expect(rows.map((r) => r.k)).toEqual(Array.from({ length: 101 }, (_, k) => k));
    rows.forEach((r) => { expect(r.x).toBe(0.5 ** r.k); expect(r.x2).toBe(0.25 ** r.k); });
    for (let i = 1; i < rows.length; i++) expect(rows[i].wall).toBeGreaterThanOrEqual(rows[i - 1].wall);
  });

  it('flushes on time as well as on size', () => {
    let t = 0;
    const batches: MetricBatch[] = [];
    driveSimulation(geometric(1), { iterations: 9, batchRows: 1000, batchMs: 3, clock: () => (t += 1), onBatch: (b) => batches.push(b) });
    expect(batches.length).toBeGreaterThan(1);
    expect(collect(batches).map((r) => r.k)).toEqual(Array.from({ length: 10 }, (_, k) => k));
  });

  it('stops at the first non-finite metric with status diverged and stores only finite rows', () => {
    const batches: MetricBatch[] = [];
    // x = 10^(100 k) overflows x^2 at k = 2 (1e400) and x at k = 4.
    const out = driveSimulation(geometric(1e100), { iterations: 50, onBatch: (b) => batches.push(b) });
    expect(out.status).toBe('diverged');
    expect(out.lastIteration).toBe(1);
    expect(out.message).toBe('metric "x2" became Infinity at iteration 2');
    const rows = collect(batches);
    expect(rows.map((r) => r.k)).toEqual([0, 1]);
    rows.forEach((r) => { expect(Number.isFinite(r.x) && Number.isFinite(r.x2)).toBe(true); });
  });

  it('reports NaN at iteration 0 without emitting any row', () => {
    const batches: MetricBatch[] = [];
    const out = driveSimulation(geometric(1, Number.NaN), { iterations: 5, onBatch: (b) => batches.push(b) });
    expect(out).toEqual({ status: 'diverged', lastIteration: -1, message: 'metric "x" became NaN at iteration 0' });
    expect(batches).toEqual([]);
  });

  it('stops as cancelled when asked, keeping the rows recorded so far', () => {
    const batches: MetricBatch[] = [];
    let polls = 0;
    const out = driveSimulation(geometric(2), { iterations: 1000, onBatch: (b) => batches.push(b), shouldStop: () => ++polls > 5 });
    expect(out).toEqual({ status: 'cancelled', lastIteration: 5 });
    expect(collect(batches).map((r) => r.k)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('hands over fresh buffers in every batch (so they can be transferred)', () => {
    const batches: MetricBatch[] = [];
    driveSimulation(geometric(0.5), { iterations: 20, batchRows: 5, batchMs: 1e9, onBatch: (b) => batches.push(b) });
    const buffers = new Set(batches.flatMap((b) => [b.iterations.buffer, b.values.buffer, b.wallMs.buffer]));
    expect(buffers.size).toBe(batches.length * 3);
  });
});
