// Drives a Simulation from k = 0 to spec.iterations, recording metrics in columnar batches and snapshots.
import { nowMs } from './clock';
import type { MetricBatch, RunOutcome, Simulation, Snapshot } from './types';

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
  /** Sparse metrics are measured at k = 0, every this many iterations, and at the last (default 1). */
  readonly metricsEvery?: number;
  /**
   * The run diverges when |objective| > divergenceFactor x max(1, |objective at k = 0|) (default: no threshold;
   * a non-finite metric always counts). `objective` names the metric (default "objective", if present).
   */
  readonly divergenceFactor?: number;
  readonly objective?: string;
  /** Snapshots at k = 0, every this many iterations, and the last recorded iteration (default none). */
  readonly snapshotEvery?: number;
  /** Receives snapshots (after the metric rows up to that iteration were flushed); buffers may be transferred. */
  readonly onSnapshot?: (s: Snapshot) => void;
}

/**
 * Runs the simulation. Iteration 0 is the initial law; a non-finite metric (or an objective past the divergence
 * threshold) stops the run at that iteration with status "diverged", and only the rows before it are emitted.
 * A metric not measured at an iteration (sparse cadence) is NaN in the batch and is not stored.
 */
export function driveSimulation(sim: Simulation, opts: DriveOptions): RunOutcome {
  const clock = opts.clock ?? nowMs;
  const names = sim.metricNames;
  const m = names.length;
  const cap = Math.max(1, Math.min(opts.batchRows ?? 1024, opts.iterations + 1));
  const batchMs = opts.batchMs ?? 100;
  const every = Math.max(1, opts.metricsEvery ?? 1);
  const sparseAt = new Uint8Array(m);
  sim.metricDefs?.forEach((d, j) => (sparseAt[j] = d.cadence === 'sparse' ? 1 : 0));
  const objIndex = opts.divergenceFactor === undefined ? -1 : names.indexOf(opts.objective ?? 'objective');
  let objLimit = Infinity;
  const snapEvery = opts.snapshotEvery && opts.onSnapshot ? opts.snapshotEvery : 0;
  let lastSnapshot = -1;
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
  const snapshot = (k: number) => {
    if (!snapEvery || !sim.snapshot || lastSnapshot === k) return;
    flush();
    opts.onSnapshot!(sim.snapshot(k));
    lastSnapshot = k;
  };
  const end = (status: RunOutcome['status'], message?: string): RunOutcome => {
    flush();
    // A diverged state is past the last recorded iteration: no snapshot of it.
    if (status !== 'diverged' && lastIteration >= 0) snapshot(lastIteration);
    const note = message ?? sim.warning?.();
    return note ? { status, lastIteration, message: note } : { status, lastIteration };
  };

  for (let k = 0; k <= opts.iterations; k++) {
    if (k > 0) {
      if (opts.shouldStop?.()) return end('cancelled');
      sim.step(k - 1);
    }
    const sparse = k === 0 || k === opts.iterations || k % every === 0;
    sim.measure(k, row, sparse);
    for (let j = 0; j < m; j++) {
      if (!sparse && sparseAt[j]) {
        row[j] = NaN;
        continue;
      }
      if (!Number.isFinite(row[j])) return end('diverged', `metric "${names[j]}" became ${row[j]} at iteration ${k}`);
    }
    if (objIndex >= 0 && !Number.isNaN(row[objIndex])) {
      const v = row[objIndex];
      if (k === 0) objLimit = opts.divergenceFactor! * Math.max(1, Math.abs(v));
      else if (Math.abs(v) > objLimit) {
        return end('diverged', `metric "${names[objIndex]}" reached ${v.toPrecision(3)} at iteration ${k}, beyond the divergence threshold ${objLimit.toPrecision(3)} (divergence_factor x max(1, |value at k = 0|))`);
      }
    }
    const now = clock();
    iterations[rows] = k;
    wall[rows] = now - t0;
    values.set(row, rows * m);
    rows++;
    lastIteration = k;
    if (rows === cap || now - lastFlush >= batchMs) flush();
    if (snapEvery && k % snapEvery === 0) snapshot(k);
  }
  return end('done');
}
