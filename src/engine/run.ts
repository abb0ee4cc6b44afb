// Drives a Simulation from k = 0 to spec.iterations, recording metrics in columnar batches.
import { nowMs } from './clock';
import type { MetricBatch, RunOutcome, Simulation } from './types';

export interface DriveOptions {
  readonly iterations: number;
  /** Receives metric rows; the arrays are owned by the receiver afterwards (they may be transferred). */
  readonly onBatch: (batch: MetricBatch) => void;
  /** Polled between iterations; returning true stops the run as cancelled. */
  readonly shouldStop?: () => boolean;
  /** Flush after this many rows (default 1024) ... */
  readonly batchRows?: number;
  /** ... or after this many milliseconds since the last flush (default 100), whichever comes first. */
  readonly batchMs?: number;
  readonly clock?: () => number;
}

/**
 * Runs the simulation. Iteration 0 is the initial law; a non-finite metric stops the run at that iteration
 * with status "diverged", and only the finite rows before it are emitted.
 */
export function driveSimulation(sim: Simulation, opts: DriveOptions): RunOutcome {
  const clock = opts.clock ?? nowMs;
  const names = sim.metricNames;
  const m = names.length;
  const cap = Math.max(1, Math.min(opts.batchRows ?? 1024, opts.iterations + 1));
  const batchMs = opts.batchMs ?? 100;
  const row = new Float64Array(m);
  let iterations = new Int32Array(cap);
  let wall = new Float64Array(cap);
  let values = new Float64Array(cap * m);
  let rows = 0;
  const t0 = clock();
  let lastFlush = t0;
  let lastIteration = -1;

  const flush = () => {
    if (rows === 0) return;
    opts.onBatch({ names, iterations: iterations.slice(0, rows), wallMs: wall.slice(0, rows), values: values.slice(0, rows * m) });
    rows = 0;
    lastFlush = clock();
    // Fresh buffers: the previous ones may have been transferred away.
    iterations = new Int32Array(cap);
    wall = new Float64Array(cap);
    values = new Float64Array(cap * m);
  };

  for (let k = 0; k <= opts.iterations; k++) {
    if (k > 0) {
      if (opts.shouldStop?.()) {
        flush();
        return { status: 'cancelled', lastIteration };
      }
      sim.step(k - 1);
    }
    sim.measure(k, row);
    for (let j = 0; j < m; j++) {
      if (!Number.isFinite(row[j])) {
        flush();
        return { status: 'diverged', lastIteration, message: `metric "${names[j]}" became ${row[j]} at iteration ${k}` };
      }
    }
    const now = clock();
    iterations[rows] = k;
    wall[rows] = now - t0;
    values.set(row, rows * m);
    rows++;
    lastIteration = k;
    if (rows === cap || now - lastFlush >= batchMs) flush();
  }
  flush();
  return { status: 'done', lastIteration };
}
