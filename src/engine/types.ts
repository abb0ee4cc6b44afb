// The engine's contract between a problem x scheme pair and whoever drives it (worker, test, CLI, bench).

/** Snapshot of mu at an iteration, for plots. */
export type Snapshot =
  | { readonly kind: 'gaussian'; readonly iteration: number; readonly mean: Float64Array; readonly cov: Float64Array | null; readonly diag: Float64Array | null }
  | { readonly kind: 'particles'; readonly iteration: number; readonly dim: number; readonly positions: Float64Array; readonly weights: Float64Array | null }
  | { readonly kind: 'grid'; readonly iteration: number; readonly shape: readonly number[]; readonly masses: Float64Array };

/**
 * A running discretization of a Wasserstein gradient flow: one problem, one scheme, one state.
 * Metrics are recorded at k = 0 (the initial law) and after every step.
 */
export interface Simulation {
  /**
   * Names of the metric series, e.g. ["objective", "kl", "w2sq", "bound_w2sq"]. Every declared metric must be
   * finite at every recorded iteration; a non-finite value means the run diverged. A bound that a theorem
   * gives only under conditions (e.g. g <= 1/L) is declared only when the conditions hold.
   */
  readonly metricNames: readonly string[];
  /** Writes the metrics of the current state (iteration k), in metricNames order, into out[0..metricNames.length). */
  measure(k: number, out: Float64Array): void;
  /** Advances the state from iteration k to k + 1. */
  step(k: number): void;
  /** The current state, for plots (optional). */
  snapshot?(k: number): Snapshot;
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
  /** For diverged runs: which metric stopped being finite, and where. */
  readonly message?: string;
}
