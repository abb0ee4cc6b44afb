// The engine's contract between a problem x scheme pair and whoever drives it (worker, test, CLI, bench).
import type { MetricDef, ReferenceLine } from './contract';

/** Snapshot of mu at an iteration, for plots. */
export type Snapshot =
  | { readonly kind: 'gaussian'; readonly iteration: number; readonly mean: Float64Array; readonly cov: Float64Array | null; readonly diag: Float64Array | null }
  | { readonly kind: 'particles'; readonly iteration: number; readonly dim: number; readonly positions: Float64Array; readonly weights: Float64Array | null }
  | { readonly kind: 'grid'; readonly iteration: number; readonly shape: readonly number[]; readonly masses: Float64Array; readonly channels?: number; readonly lo?: readonly number[]; readonly hi?: readonly number[] };

/**
 * A running discretization of a Wasserstein gradient flow: one problem, one scheme, one state.
 * Metrics are recorded at k = 0 (the initial law) and after every step.
 */
export interface Simulation {
  /**
   * Names of the metric series, e.g. ["objective", "kl", "w2sq", "bound_w2sq"]. Every metric measured at an
   * iteration must be finite there; a non-finite value means the run diverged. A bound that a theorem
   * gives only under conditions (e.g. g <= 1/L) is declared only when the conditions hold.
   */
  readonly metricNames: readonly string[];
  /** The definitions of the metrics, in metricNames order (labels, log axis, cadence); optional for simple simulations. */
  readonly metricDefs?: readonly MetricDef[];
  /** Lines a problem knows (a known minimum), stored with the run. */
  readonly references?: readonly ReferenceLine[];
  /**
   * Writes the metrics of the current state (iteration k), in metricNames order, into out[0..metricNames.length).
   * Sparse metrics are measured only when `sparse` is true; otherwise they are written as NaN (not measured).
   */
  measure(k: number, out: Float64Array, sparse: boolean): void;
  /** Advances the state from iteration k to k + 1. */
  step(k: number): void;
  /** The current state, for plots (optional). */
  snapshot?(k: number): Snapshot;
  /** A note on how the scheme went (e.g. an inner solver hit its cap), shown with the run. */
  warning?(): string | undefined;
}

/** Metric rows of one run, columnar: row r has iteration iterations[r], wall time wallMs[r], values[r * names.length + j]. */
export interface MetricBatch {
  readonly names: readonly string[];
  readonly iterations: Int32Array;
  readonly wallMs: Float64Array;
  readonly values: Float64Array;
}

export type RunOutcomeStatus = 'done' | 'diverged' | 'cancelled';

export interface RunOutcome {
  readonly status: RunOutcomeStatus;
  /** Last iteration whose metrics were recorded (-1 if none). */
  readonly lastIteration: number;
  /** For diverged runs: which metric stopped being finite or exceeded the threshold, and where; else a scheme's warning. */
  readonly message?: string;
}
