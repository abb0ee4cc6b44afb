// Follows changes that other processes (the desktop app, serve, a CLI) make to the same database file, and
// turns them into ordinary LabEvents: a cheap PRAGMA data_version read on a timer; only when it moved, a scan
// of the runs' state columns (new runs, statuses, progress, owners), the setups' stamp, and the metric rows
// that arrived for runs of other processes.
import type { LabEvent } from '../src/api';
import { ChangeReader, type RunState } from '../db/changes';
import type { LabDatabase } from '../db/lab-db';

/** A run that jumped by more rows than this gets a 'run' event only (a client reloads its series). */
const MAX_LIVE_ROWS = 20_000;

export interface DbWatcherOptions {
  /** Poll period (default 250 ms; WGFLAB_WATCH_MS). */
  readonly pollMs?: number;
  /** Runs this process runs itself: it already emits their events. */
  readonly isOwn: (runId: number) => boolean;
  readonly emitRun: (runId: number) => void;
  readonly emit: (e: LabEvent) => void;
  /** Something changed (new queued runs, a process gone): the scheduler may have work. */
  readonly onChange: () => void;
  /** Metric names of a run (JSON array text from runs.metric_names_json). */
  readonly metricNames: (runId: number) => readonly string[];
}

export class DbWatcher {
  readonly pollMs: number;
  readonly #reader: ChangeReader;
  readonly #opts: DbWatcherOptions;
  #version = -1;
  #setups = '';
  #runs = new Map<number, RunState>();
  #timer?: NodeJS.Timeout;

  constructor(lab: LabDatabase, opts: DbWatcherOptions) {
    this.#reader = new ChangeReader(lab);
    this.#opts = opts;
    this.pollMs = opts.pollMs ?? (Number(process.env.WGFLAB_WATCH_MS) || 250);
  }

  start(): void {
    this.#version = this.#reader.dataVersion();
    this.#setups = this.#reader.setupsStamp();
    this.#runs = new Map(this.#reader.runStates().map((s) => [s[0], s]));
    this.#timer = setInterval(() => this.poll(), this.pollMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Emits the changes made by other connections since the last poll; returns whether there were any. */
  poll(): boolean {
    let version: number;
    try {
      version = this.#reader.dataVersion();
    } catch {
      return false; // closing, or busy: next time
    }
    if (version === this.#version) return false;
    this.#version = version;
    const setups = this.#reader.setupsStamp();
    const setupsChanged = setups !== this.#setups;
    this.#setups = setups;
    const next = new Map<number, RunState>();
    let newRuns = false;
    for (const s of this.#reader.runStates()) {
      const [id, status, last, owner] = s;
      next.set(id, s);
      const old = this.#runs.get(id);
      if (old && old[1] === status && old[2] === last && old[3] === owner) continue;
      if (!old) newRuns = true;
      if (this.#opts.isOwn(id)) continue;
      if (old && old[1] === status && last > old[2]) this.#emitRows(id, old[2], last);
      this.#opts.emitRun(id);
    }
    // New runs change their setup's run count too.
    if (setupsChanged || newRuns) this.#opts.emit({ type: 'setups' });
    this.#runs = next;
    this.#opts.onChange();
    return true;
  }

  /** A 'metrics' event with the rows of iterations (from, to] of a run another process is running. */
  #emitRows(runId: number, from: number, to: number): void {
    if (to - from > MAX_LIVE_ROWS) return;
    const names = this.#opts.metricNames(runId);
    if (!names.length) return;
    const columns = names.map((n) => this.#reader.rowsAfter(runId, n, from, MAX_LIVE_ROWS));
    const rows = columns[0].length;
    if (!rows || columns.some((c) => c.length !== rows)) return;
    const m = names.length;
    const values = new Array<number>(rows * m);
    for (let j = 0; j < m; j++) for (let r = 0; r < rows; r++) values[r * m + j] = columns[j][r][1];
    this.#opts.emit({ type: 'metrics', runId, names, iterations: columns[0].map((r) => r[0]), wallMs: columns[0].map((r) => r[2]), values });
  }
}
