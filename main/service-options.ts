// Options of LabService (main/lab-service.ts).
import type { ClaimPolicy, LeaseOptions } from './ownership';

export interface LabServiceOptions {
  /** SQLite file (created if missing, unless mustExist). */
  readonly dbPath: string;
  /** Refuse a database file that does not exist (resume, export, serve --db). */
  readonly mustExist?: boolean;
  /** Pool threads = runs in flight at once (default os.availableParallelism()). */
  readonly workers?: number;
  /** Absolute path of dist/workers/run-worker.mjs (see findWorkerFile in main/paths.ts). */
  readonly workerFile: string;
  readonly appVersion: string;
  /** better_sqlite3.node built for Electron's ABI, when running inside Electron. */
  readonly nativeBinding?: string;
  /** Worker flushes a metric batch after this many rows (default 512) or milliseconds (default 100). */
  readonly batchRows?: number;
  readonly batchMs?: number;
  /** At most one progress 'run' event per run per this many milliseconds (default 250); status changes are immediate. */
  readonly progressMs?: number;
  /** Batches a worker may post ahead of the ones stored (default 4); then it waits. */
  readonly maxUnackedBatches?: number;
  /** Who this process is, shown with the runs it runs: 'app', 'serve', 'cli' (default 'test'). */
  readonly kind?: string;
  /**
   * Which queued runs this process claims: 'own+orphaned' (default: the app and serve) takes the runs it
   * queued and those whose queuing process is gone; 'own' (`wgflab run`/`resume`) only its own.
   */
  readonly claim?: ClaimPolicy;
  /** Heartbeat period and lease timeout (defaults 2 s / 10 s, or WGFLAB_HEARTBEAT_MS / WGFLAB_LEASE_MS). */
  readonly lease?: LeaseOptions;
  /** How often to look for changes made by other processes (default 250 ms, or WGFLAB_WATCH_MS). */
  readonly watchMs?: number;
  /** Metric reads estimated above this many rows go to the series reader thread (default 50,000). */
  readonly seriesInlineRows?: number;
  /** Where the service reports trouble it recovers from (default: nowhere). */
  readonly log?: (line: string) => void;
}

