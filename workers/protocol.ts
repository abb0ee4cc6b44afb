// Messages between LabService (main thread) and the run worker. Shared by both sides; no runtime code.
import type { MessagePort } from 'node:worker_threads';
import type { MetricDef, ReferenceLine } from '../src/engine/contract';

/** One Piscina task = one run. */
export interface RunTask {
  readonly runId: number;
  /** The stored RunSpec (plain JSON); the worker validates it again with parseRunSpec. */
  readonly spec: unknown;
  /** Metric batches, snapshots and the end marker are posted here (transferred with the task). */
  readonly port: MessagePort;
  /** Flush a batch after this many rows ... */
  readonly batchRows?: number;
  /** ... or this many milliseconds, whichever comes first. */
  readonly batchMs?: number;
  /**
   * Flow control: Int32Array over a SharedArrayBuffer whose element 0 counts the batches and snapshots the main
   * thread has stored. The worker posts at most maxUnacked of them ahead of it and waits (Atomics.wait) otherwise, so a
   * fast run cannot flood the main thread's memory; the time spent waiting is left out of the run's wall_ms.
   */
  readonly acks?: Int32Array;
  readonly maxUnacked?: number;
}

/** What the task resolves to; a rejected task means the run failed (its error message is kept). */
export interface RunTaskResult {
  readonly status: 'done' | 'diverged';
  readonly lastIteration: number;
  readonly message?: string;
}

/**
 * Posted on the task's port, in order: batches, then one "end" (also when the run throws), so the main thread
 * knows every batch arrived before it marks the run finished (the task result travels on another port).
 */
export type RunWorkerMessage =
  /** First message: what the run records (metric definitions in column order, reference lines). */
  | { readonly type: 'meta'; readonly metrics: readonly MetricDef[]; readonly references: readonly ReferenceLine[] }
  /**
   * The measure at one iteration: `meta` is small JSON (kind, dim, n, shape, Gaussian moments); `data` the bulk
   * (particle positions or grid masses as float32), transferred.
   */
  | { readonly type: 'snapshot'; readonly iteration: number; readonly kind: string; readonly meta: string; readonly data: Float32Array | null }
  | {
      readonly type: 'batch';
      readonly names: readonly string[];
      readonly iterations: Int32Array;
      readonly wallMs: Float64Array;
      readonly values: Float64Array;
    }
  | { readonly type: 'end' };
