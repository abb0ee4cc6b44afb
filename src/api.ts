// LabApi: the one typed contract between the renderer and the main process. Both transports (Electron IPC
// through the preload bridge, HTTP + server-sent events in browser mode) carry exactly these methods, and
// channel / route names derive from the method names. The input schemas that validate every call at the
// boundary are in api-inputs.ts, so that this module (and the sandboxed preload that bundles it) has no zod.
import type { SetupIssue } from './setup/issues';
import type { RunSpec, SetupInput } from './setup/schema';
import type { MetricDef, ReferenceLine } from './engine/contract';

export type { MetricDef, ReferenceLine };

export const RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'diverged', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Statuses after which a run no longer changes by itself. */
export const FINAL_STATUSES: readonly RunStatus[] = ['done', 'failed', 'cancelled', 'diverged'];

export interface SetupRecord {
  readonly id: number;
  readonly name: string;
  /** The setup exactly as saved (validated; defaults not filled in). */
  readonly setup: SetupInput;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly runCount: number;
}

export interface RunSummary {
  readonly id: number;
  readonly setupId: number | null;
  readonly name: string;
  /** e.g. "fb, scheme.step=0.05, seed 1" */
  readonly label: string;
  readonly problemKind: string;
  readonly scheme: string;
  /** The scheme's step when it has one (kept for runs stored before parameters were stored in full). */
  readonly step: number | null;
  readonly seed: number;
  readonly sweepValues: Readonly<Record<string, unknown>>;
  /** Every parameter of the run by field path ("scheme.kind", "scheme.step", "problem.init.particles", "seed", ...). */
  readonly params: Readonly<Record<string, unknown>>;
  /** What the run records (known once it started): labels, log axis by default, cadence. */
  readonly metricDefs: readonly MetricDef[];
  readonly notes: string;
  readonly tags: readonly string[];
  readonly status: RunStatus;
  readonly iterations: number;
  /** Last iteration whose metrics are stored (-1 when none). */
  readonly lastIteration: number;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: string | null;
  /** Value of each metric at the last stored iteration. */
  readonly final: Readonly<Record<string, number>>;
  /** The process that runs (or last ran) it, e.g. "cli 4242@host"; "host:pid" for runs stored before leases. */
  readonly owner: string | null;
}

export interface RunDetail extends RunSummary {
  readonly spec: RunSpec;
  readonly appVersion: string;
  readonly metricNames: readonly string[];
  readonly references: readonly ReferenceLine[];
}

/** Where a run's snapshots are: one entry per stored iteration. */
export interface SnapshotIndex {
  readonly runId: number;
  readonly iterations: number[];
}

/** The measure at one iteration, in original coordinates. */
export type SnapshotData =
  | { readonly runId: number; readonly iteration: number; readonly kind: 'particles'; readonly dim: number; readonly n: number; readonly positions: number[]; readonly weights?: number[] }
  | { readonly runId: number; readonly iteration: number; readonly kind: 'gaussian'; readonly dim: number; readonly mean: number[]; readonly cov?: number[][]; readonly diag?: number[] }
  | { readonly runId: number; readonly iteration: number; readonly kind: 'grid'; readonly shape: number[]; readonly masses: number[]; readonly channels?: number; readonly lo?: number[]; readonly hi?: number[] };

export interface MetricSeries {
  readonly runId: number;
  readonly metric: string;
  readonly iterations: number[];
  readonly values: number[];
  readonly wallMs: number[];
}

/** Compare's grouped curves: runs grouped by parameters, each group a center with a band. */
export interface GroupedMetricsInput {
  readonly runIds: number[];
  readonly metric: string;
  /** Parameter paths (as in RunSummary.params), e.g. ["scheme.kind"]; [] puts every run in one group. */
  readonly groupBy: string[];
  readonly center: 'mean' | 'median';
  readonly band: 'std' | 'minmax' | 'quantiles' | 'none';
  readonly quantiles?: [number, number];
  /** x axis: iteration k, time t = k x scheme.step, or wall time in seconds. */
  readonly x: 'iteration' | 'time' | 'wall';
  readonly maxPoints?: number;
}

export interface GroupedSeries {
  readonly key: Readonly<Record<string, unknown>>;
  /** e.g. "scheme.kind=svgd (20 runs)" */
  readonly label: string;
  readonly runIds: number[];
  readonly metric: string;
  readonly x: number[];
  readonly center: number[];
  readonly lo: number[];
  readonly hi: number[];
  readonly count: number[];
}

export interface Preset {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** Paper and figure/section it reproduces. */
  readonly source: string;
  readonly setup: SetupInput;
}

export interface LabInfo {
  readonly version: string;
  readonly dbPath: string;
  readonly workers: number;
}

export interface ValidationReport {
  readonly ok: boolean;
  readonly issues: SetupIssue[];
  /** Things that are allowed but probably not meant (e.g. seeds that have no effect). */
  readonly warnings: SetupIssue[];
  readonly runCount: number;
}

/** Pushed to every client: a run changed (status, progress), or new metric rows arrived for a run. */
export type LabEvent =
  | { readonly type: 'run'; readonly run: RunSummary }
  | { readonly type: 'metrics'; readonly runId: number; readonly names: readonly string[]; readonly iterations: number[]; readonly wallMs: number[]; readonly values: number[] }
  | { readonly type: 'snapshot'; readonly runId: number; readonly iteration: number }
  | { readonly type: 'deleted'; readonly runIds: number[] }
  | { readonly type: 'setups' }
  /** Processes sharing the database were found dead (heartbeat older than their lease); their runs became interrupted. */
  | { readonly type: 'stale'; readonly processes: readonly { readonly id: string; readonly label: string }[]; readonly runIds: readonly number[] };

export interface LabApi {
  info(): Promise<LabInfo>;
  listPresets(): Promise<Preset[]>;
  listSetups(): Promise<SetupRecord[]>;
  /** Creates (no id) or replaces a setup; throws LabError "invalid" with issues when it does not validate. */
  saveSetup(input: { id?: number; setup: unknown }): Promise<SetupRecord>;
  deleteSetup(input: { id: number }): Promise<void>;
  validateSetup(input: { setup: unknown }): Promise<ValidationReport>;
  /** Expands the saved setup into runs and queues them (only part `shard.index` of `shard.count`, if given; see src/setup/shard.ts). */
  queueSetup(input: { setupId: number; shard?: { index: number; count: number } }): Promise<{ runIds: number[] }>;
  listRuns(input: { setupId?: number; status?: RunStatus[] }): Promise<RunSummary[]>;
  getRun(input: { id: number }): Promise<RunDetail>;
  /** Series of the given runs; every metric unless one is named; maxPoints thins long series evenly (keeps the last). */
  getMetrics(input: { runIds: number[]; metric?: string; maxPoints?: number }): Promise<MetricSeries[]>;
  /** Series of the given runs grouped by parameters: one center and band per group, computed by the service. */
  getGroupedMetrics(input: GroupedMetricsInput): Promise<GroupedSeries[]>;
  /** The iterations at which each run stored a snapshot. */
  listSnapshots(input: { runIds: number[] }): Promise<SnapshotIndex[]>;
  /** Snapshots of one run at the given iterations (those that exist). */
  getSnapshots(input: { runId: number; iterations: number[] }): Promise<SnapshotData[]>;
  cancelRun(input: { id: number }): Promise<void>;
  /** Queues a finished, failed, cancelled or interrupted run again from the start (its old metrics are replaced). */
  requeueRun(input: { id: number }): Promise<void>;
  /** Deletes runs (not running ones) with their series and snapshots: the given ids, or every run of a setup. */
  deleteRuns(input: { ids?: number[]; setupId?: number }): Promise<{ deleted: number[] }>;
  /** Sets a run's notes and/or tags. */
  annotateRun(input: { id: number; notes?: string; tags?: string[] }): Promise<RunSummary>;
  /** Queues every interrupted run again (of one setup when setupId is given) in this process's queue. */
  resumeInterrupted(input: { setupId?: number }): Promise<{ runIds: number[] }>;
}

export type LabMethod = keyof LabApi;

/** Every LabApi method, in a fixed order (checked complete below and in src/api-inputs.ts). */
export const LAB_METHODS = [
  'info', 'listPresets', 'listSetups', 'saveSetup', 'deleteSetup', 'validateSetup', 'queueSetup',
  'listRuns', 'getRun', 'getMetrics', 'getGroupedMetrics', 'listSnapshots', 'getSnapshots', 'cancelRun', 'requeueRun', 'deleteRuns', 'annotateRun', 'resumeInterrupted',
] as const satisfies readonly LabMethod[];
// A method added to LabApi but not listed above fails to compile here.
const everyMethodListed: Exclude<LabMethod, (typeof LAB_METHODS)[number]> extends never ? true : never = true;
void everyMethodListed;

/** IPC channel of a method (Electron) and HTTP route (browser mode). */
export const ipcChannel = (method: LabMethod): string => `lab:${method}`;
export const httpRoute = (method: LabMethod): string => `/api/${method}`;
export const IPC_EVENT_CHANNEL = 'lab:event';
export const HTTP_EVENTS_ROUTE = '/api/events';

export type LabErrorCode = 'invalid' | 'not_found' | 'conflict' | 'internal';

/** An error that crosses the transport intact: code, message and (for "invalid") the setup issues. */
export class LabError extends Error {
  readonly code: LabErrorCode;
  readonly issues: readonly SetupIssue[];
  constructor(code: LabErrorCode, message: string, issues: readonly SetupIssue[] = []) {
    super(message);
    this.name = 'LabError';
    this.code = code;
    this.issues = issues;
  }
  toJSON(): { code: LabErrorCode; message: string; issues: readonly SetupIssue[] } {
    return { code: this.code, message: this.message, issues: this.issues };
  }
  static fromJSON(v: { code?: string; message?: string; issues?: SetupIssue[] }): LabError {
    const code = (['invalid', 'not_found', 'conflict', 'internal'] as const).find((c) => c === v.code) ?? 'internal';
    return new LabError(code, v.message ?? 'unknown error', v.issues ?? []);
  }
}
