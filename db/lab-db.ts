// The lab's SQLite database: the one place that writes SQL. Statements are prepared once; metric rows are
// inserted in multi-row statements inside one transaction per batch; nothing async runs inside a transaction.
// Crash safety: WAL + synchronous=NORMAL survives a killed process with every committed transaction (a power
// loss may drop the last few, never corrupting the file); each metric batch is one transaction together with
// the run's last_iteration, so a crash loses at most the batch in flight.
import Database from 'better-sqlite3';
import type { RunStatus } from '../src/api';
import { DatabaseTooNewError, migrate, SCHEMA_VERSION, userVersion } from './migrate';
import { checkDatabasePath, describeOpenError } from './open-errors';

export interface OpenOptions {
  /** Path of a better_sqlite3.node built for the running ABI (Electron's, in the desktop app). */
  readonly nativeBinding?: string;
  /** Open an existing file only (default false: create it). */
  readonly mustExist?: boolean;
}

export interface SetupRow {
  readonly id: number;
  readonly name: string;
  readonly json: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly run_count: number;
}

export interface RunRow {
  readonly id: number;
  readonly setup_id: number | null;
  readonly name: string;
  readonly label: string;
  readonly problem_kind: string;
  readonly scheme: string;
  readonly step: number | null;
  readonly seed: number;
  readonly sweep_json: string;
  readonly spec_json: string;
  readonly status: RunStatus;
  readonly iterations: number;
  readonly last_iteration: number;
  readonly metric_names_json: string | null;
  readonly final_json: string;
  readonly error: string | null;
  readonly app_version: string;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  /** "host:pid" of the process that runs or last ran it. */
  readonly owner: string | null;
  /** Flat field path -> value of every parameter of the run (0003). */
  readonly params_json: string;
  /** Metric definitions (JSON array), known once the worker started the run (0003). */
  readonly metric_defs_json: string | null;
  readonly references_json: string | null;
  /** Notes and tags (JSON array of strings) a researcher wrote on the run (0005). */
  readonly notes: string;
  readonly tags_json: string;
}

export interface SnapshotRow {
  readonly run_id: number;
  readonly iteration: number;
  readonly kind: string;
  readonly meta_json: string;
  readonly data: Buffer | null;
}

export interface NewRun {
  readonly setupId: number | null;
  readonly name: string;
  readonly label: string;
  readonly problemKind: string;
  readonly scheme: string;
  readonly step: number | null;
  readonly seed: number;
  readonly sweepJson: string;
  readonly specJson: string;
  /** Flat parameters by field path (default '{}'). */
  readonly paramsJson?: string;
  readonly iterations: number;
  readonly appVersion: string;
}

/** Columnar metric rows of one run: row r has iterations[r], wallMs[r] and values[r * names.length + j]. */
export interface MetricRows {
  readonly names: readonly string[];
  readonly iterations: ArrayLike<number>;
  readonly wallMs: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

export interface SeriesRows {
  readonly iterations: number[];
  readonly values: number[];
  readonly wallMs: number[];
}

/** Rows per multi-row INSERT statement (SQLite binds up to 32766 parameters; 3 per row). */
const ROWS_PER_INSERT = 64;

const nowIso = (): string => new Date().toISOString();

export class LabDatabase {
  readonly file: string;
  readonly db: Database.Database;
  readonly #s;
  readonly #insertMany: Database.Statement;
  readonly #insertOne: Database.Statement;
  readonly #insertTx: (runId: number, batch: MetricRows, n: number) => void;
  readonly #args = new Array<unknown>(2 + ROWS_PER_INSERT * 3);
  #closed = false;

  constructor(file: string, opts: OpenOptions = {}) {
    this.file = file;
    const db = new Database(file, { nativeBinding: opts.nativeBinding, fileMustExist: opts.mustExist ?? false });
    try {
      db.pragma('busy_timeout = 10000');
      // Refuse a newer schema before changing anything in the file (even its journal mode).
      const found = userVersion(db);
      if (found > SCHEMA_VERSION) throw new DatabaseTooNewError(file, found, SCHEMA_VERSION);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') throw new Error(`database ${file}: could not switch to WAL mode (got ${String(mode)})`);
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, file);
    } catch (e) {
      db.close();
      throw e;
    }
    this.db = db;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      insertSetup: p('INSERT INTO setups (name, json, created_at, updated_at) VALUES (?, ?, ?, ?)'),
      updateSetup: p('UPDATE setups SET name = ?, json = ?, updated_at = ? WHERE id = ?'),
      deleteSetup: p('DELETE FROM setups WHERE id = ?'),
      deleteRun: p(`DELETE FROM runs WHERE id = ? AND status <> 'running'`),
      annotate: p('UPDATE runs SET notes = coalesce(?, notes), tags_json = coalesce(?, tags_json) WHERE id = ?'),
      getSetup: p(`SELECT s.*, (SELECT count(*) FROM runs r WHERE r.setup_id = s.id) AS run_count FROM setups s WHERE s.id = ?`),
      listSetups: p(`SELECT s.*, (SELECT count(*) FROM runs r WHERE r.setup_id = s.id) AS run_count FROM setups s ORDER BY s.id`),
      insertRun: p(`INSERT INTO runs (setup_id, name, label, problem_kind, scheme, step, seed, sweep_json, spec_json, params_json, status, iterations, app_version, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`),
      getRun: p('SELECT * FROM runs WHERE id = ?'),
      listRuns: p('SELECT * FROM runs ORDER BY id'),
      listRunsBySetup: p('SELECT * FROM runs WHERE setup_id = ? ORDER BY id'),
      nextQueued: p(`SELECT * FROM runs WHERE status = 'queued' ORDER BY id LIMIT ?`),
      countQueued: p(`SELECT count(*) FROM runs WHERE status = 'queued'`).pluck(),
      idsWithStatus: p('SELECT id FROM runs WHERE status = ? ORDER BY id').pluck(),
      markRunning: p(`UPDATE runs SET status = 'running', owner = ?, started_at = ?, finished_at = NULL, error = NULL WHERE id = ? AND status = 'queued'`),
      finish: p(`UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running'`),
      cancelQueued: p(`UPDATE runs SET status = 'cancelled', finished_at = ? WHERE id = ? AND status IN ('queued', 'interrupted')`),
      runningOwners: p(`SELECT id, owner FROM runs WHERE status = 'running' ORDER BY id`),
      interrupt: p(`UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id = ? AND status = 'running'`),
      deleteMetrics: p('DELETE FROM metrics WHERE run_id = ?'),
      deleteSnapshots: p('DELETE FROM snapshots WHERE run_id = ?'),
      requeue: p(`UPDATE runs SET status = 'queued', last_iteration = -1, metric_names_json = NULL, metric_defs_json = NULL, references_json = NULL, final_json = '{}', error = NULL,
                  started_at = NULL, finished_at = NULL, owner = NULL WHERE id = ?`),
      progress: p('UPDATE runs SET last_iteration = ?, final_json = json_patch(final_json, ?), metric_names_json = coalesce(metric_names_json, ?) WHERE id = ?'),
      runMeta: p('UPDATE runs SET metric_defs_json = ?, references_json = ?, metric_names_json = ? WHERE id = ?'),
      insertSnapshot: p('INSERT INTO snapshots (run_id, iteration, kind, meta_json, data) VALUES (?, ?, ?, ?, ?)'),
      snapshotIndex: p('SELECT iteration, kind FROM snapshots WHERE run_id = ? ORDER BY iteration'),
      snapshotAt: p('SELECT run_id, iteration, kind, meta_json, data FROM snapshots WHERE run_id = ? AND iteration = ?'),
      snapshotCount: p('SELECT count(*) FROM snapshots WHERE run_id = ?').pluck(),
      series: p('SELECT iteration, value, wall_ms FROM metrics WHERE run_id = ? AND metric = ? ORDER BY iteration').raw(),
      seriesCount: p('SELECT count(*) FROM metrics WHERE run_id = ? AND metric = ?').pluck(),
      seriesExtent: p('SELECT count(*), max(iteration) FROM metrics WHERE run_id = ? AND metric = ?').raw(),
      // IN (list subquery) makes SQLite seek each iteration through the primary key; a JOIN with json_each
      // may instead be planned as a scan of the series per list entry (seen: 500x slower without ANALYZE).
      seriesAt: p(`SELECT iteration, value, wall_ms FROM metrics
                   WHERE run_id = ? AND metric = ? AND iteration IN (SELECT value FROM json_each(?)) ORDER BY iteration`).raw(),
      metricRowCount: p('SELECT count(*) FROM metrics').pluck(),
    };
    this.#insertOne = p('INSERT INTO metrics (run_id, metric, iteration, value, wall_ms) VALUES (?, ?, ?, ?, ?)');
    // run_id and metric are bound once per statement, each row binds 3 values (iteration, value, wall_ms).
    this.#insertMany = p(`INSERT INTO metrics (run_id, metric, iteration, value, wall_ms) SELECT ?, ?, column1, column2, column3 FROM (VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?)').join(', ')})`);
    this.#insertTx = db.transaction((runId: number, batch: MetricRows, n: number) => this.#writeRows(runId, batch, n));
  }

  get open(): boolean {
    return !this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.db.close();
  }

  /** PRAGMA integrity_check: ["ok"] for a sound file. */
  integrityCheck(): string[] {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  // ---- setups ----

  insertSetup(name: string, json: string): number {
    const now = nowIso();
    return Number(this.#s.insertSetup.run(name, json, now, now).lastInsertRowid);
  }

  /** Returns false when no setup has this id. */
  updateSetup(id: number, name: string, json: string): boolean {
    return this.#s.updateSetup.run(name, json, nowIso(), id).changes > 0;
  }

  deleteSetup(id: number): boolean {
    return this.#s.deleteSetup.run(id).changes > 0;
  }

  /** Deletes runs that are not running, with their metrics and snapshots (cascade), in one transaction; returns the ids deleted. */
  deleteRuns(ids: readonly number[]): number[] {
    return this.db.transaction(() => ids.filter((id) => this.#s.deleteRun.run(id).changes > 0)).immediate();
  }

  /** Sets a run's notes and/or tags (null leaves one as it is); false when no run has this id. */
  annotateRun(id: number, notes: string | null, tagsJson: string | null): boolean {
    return this.#s.annotate.run(notes, tagsJson, id).changes > 0;
  }

  getSetup(id: number): SetupRow | undefined {
    return this.#s.getSetup.get(id) as SetupRow | undefined;
  }

  listSetups(): SetupRow[] {
    return this.#s.listSetups.all() as SetupRow[];
  }

  // ---- runs and the queue ----

  /** Inserts queued runs in one transaction; returns their ids in order. */
  insertRuns(runs: readonly NewRun[]): number[] {
    const now = nowIso();
    return this.db.transaction(() => runs.map((r) => Number(this.#s.insertRun.run(
      r.setupId, r.name, r.label, r.problemKind, r.scheme, r.step, r.seed, r.sweepJson, r.specJson, r.paramsJson ?? '{}', r.iterations, r.appVersion, now,
    ).lastInsertRowid)))();
  }

  getRun(id: number): RunRow | undefined {
    return this.#s.getRun.get(id) as RunRow | undefined;
  }

  listRuns(setupId?: number): RunRow[] {
    return (setupId === undefined ? this.#s.listRuns.all() : this.#s.listRunsBySetup.all(setupId)) as RunRow[];
  }

  nextQueued(limit: number): RunRow[] {
    return this.#s.nextQueued.all(limit) as RunRow[];
  }

  countQueued(): number {
    return this.#s.countQueued.get() as number;
  }

  idsWithStatus(status: RunStatus): number[] {
    return this.#s.idsWithStatus.all(status) as number[];
  }

  /** queued -> running by owner ("host:pid"); false when the run is no longer queued. */
  markRunning(id: number, owner: string | null = null): boolean {
    return this.#s.markRunning.run(owner, nowIso(), id).changes > 0;
  }

  /** running -> a final status (or interrupted); false when the run was not running. */
  finishRun(id: number, status: RunStatus, error: string | null = null): boolean {
    return this.#s.finish.run(status, error, nowIso(), id).changes > 0;
  }

  /** queued or interrupted -> cancelled; false otherwise. */
  cancelQueued(id: number): boolean {
    return this.#s.cancelQueued.run(nowIso(), id).changes > 0;
  }

  /**
   * Runs left 'running' by a process that is gone become 'interrupted' (all of them unless isGone says which
   * owners are gone); returns their ids.
   */
  interruptRunning(isGone: (owner: string | null) => boolean = () => true): number[] {
    return this.db.transaction(() => {
      const now = nowIso();
      const ids: number[] = [];
      for (const { id, owner } of this.#s.runningOwners.all() as { id: number; owner: string | null }[]) {
        if (!isGone(owner)) continue;
        this.#s.interrupt.run(now, id);
        ids.push(id);
      }
      return ids;
    }).immediate();
  }

  /**
   * Queues runs again from the start: deletes their metrics and resets them to 'queued' in one transaction,
   * so no series is left with a gap or a duplicate whatever happens next.
   */
  requeueRuns(ids: readonly number[]): void {
    this.db.transaction(() => {
      for (const id of ids) {
        this.#s.deleteMetrics.run(id);
        this.#s.deleteSnapshots.run(id);
        this.#s.requeue.run(id);
      }
    }).immediate();
  }

  // ---- metrics ----

  /**
   * Stores a batch of metric rows of one run and its progress (last iteration, final values) in one
   * transaction. Rows are written metric by metric (the primary-key order) in multi-row INSERTs.
   */
  insertMetrics(runId: number, batch: MetricRows): void {
    const n = batch.iterations.length;
    if (n === 0) return;
    this.#insertTx(runId, batch, n);
  }

  #writeRows(runId: number, batch: MetricRows, n: number): void {
    const { names, iterations, wallMs, values } = batch;
    const m = names.length;
    const args = this.#args;
    args[0] = runId;
    for (let j = 0; j < m; j++) {
      const metric = names[j];
      args[1] = metric;
      let measured = 0;
      for (let r = 0; r < n; r++) if (!Number.isNaN(values[r * m + j])) measured++;
      if (measured < n) {
        // A sparse metric: NaN marks the iterations where it was not measured; only measured rows are stored.
        for (let r = 0; r < n; r++) {
          const v = values[r * m + j];
          if (!Number.isNaN(v)) this.#insertOne.run(runId, metric, iterations[r], v, wallMs[r]);
        }
        continue;
      }
      let r = 0;
      for (; r + ROWS_PER_INSERT <= n; r += ROWS_PER_INSERT) {
        for (let q = 0, o = 2; q < ROWS_PER_INSERT; q++, o += 3) {
          const row = r + q;
          args[o] = iterations[row];
          args[o + 1] = values[row * m + j];
          args[o + 2] = wallMs[row];
        }
        this.#insertMany.run(args);
      }
      for (; r < n; r++) this.#insertOne.run(runId, metric, iterations[r], values[r * m + j], wallMs[r]);
    }
    const last = n - 1;
    // The last measured value of each metric in this batch (merged into the stored ones: sparse metrics keep theirs).
    const final: Record<string, number> = {};
    for (let j = 0; j < m; j++) {
      for (let r = last; r >= 0; r--) {
        const v = values[r * m + j];
        if (!Number.isNaN(v)) {
          final[names[j]] = v;
          break;
        }
      }
    }
    this.#s.progress.run(iterations[last], JSON.stringify(final), JSON.stringify(names), runId);
  }

  /** Stores what a run records (metric definitions in column order, reference lines), when its worker starts. */
  setRunMeta(runId: number, defsJson: string, referencesJson: string, namesJson: string): void {
    this.#s.runMeta.run(defsJson, referencesJson, namesJson, runId);
  }

  // ---- snapshots ----

  /** Stores one snapshot (one transaction); a second one at the same iteration is an error. */
  insertSnapshot(runId: number, iteration: number, kind: string, metaJson: string, data: Float32Array | null): void {
    const blob = data ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : null;
    this.#s.insertSnapshot.run(runId, iteration, kind, metaJson, blob);
  }

  /** The iterations (and kinds) of a run's snapshots, in order. */
  snapshotIndex(runId: number): { iteration: number; kind: string }[] {
    return this.#s.snapshotIndex.all(runId) as { iteration: number; kind: string }[];
  }

  getSnapshot(runId: number, iteration: number): SnapshotRow | undefined {
    return this.#s.snapshotAt.get(runId, iteration) as SnapshotRow | undefined;
  }

  countSnapshots(runId: number): number {
    return this.#s.snapshotCount.get(runId) as number;
  }

  /** One metric series of one run, in iteration order. */
  readSeries(runId: number, metric: string): SeriesRows {
    const iterations: number[] = [];
    const values: number[] = [];
    const wallMs: number[] = [];
    for (const row of this.#s.series.iterate(runId, metric) as Iterable<[number, number, number]>) {
      iterations.push(row[0]);
      values.push(row[1]);
      wallMs.push(row[2]);
    }
    return { iterations, values, wallMs };
  }

  /**
   * The rows of a series at the given iterations only, each found through the primary key (no scan of the
   * series); iterations with no row are skipped.
   */
  readSeriesAt(runId: number, metric: string, at: readonly number[]): SeriesRows {
    const iterations: number[] = [];
    const values: number[] = [];
    const wallMs: number[] = [];
    for (const row of this.#s.seriesAt.iterate(runId, metric, JSON.stringify(at)) as Iterable<[number, number, number]>) {
      iterations.push(row[0]);
      values.push(row[1]);
      wallMs.push(row[2]);
    }
    return { iterations, values, wallMs };
  }

  /** Number of rows of a series and its last iteration (null when empty). */
  seriesExtent(runId: number, metric: string): { rows: number; lastIteration: number | null } {
    const [rows, last] = this.#s.seriesExtent.get(runId, metric) as [number, number | null];
    return { rows, lastIteration: last };
  }

  countSeries(runId: number, metric: string): number {
    return this.#s.seriesCount.get(runId, metric) as number;
  }

  countMetricRows(): number {
    return this.#s.metricRowCount.get() as number;
  }
}

/** Opens (creating if needed) and migrates the lab database. Throws DatabaseOpenError naming the path, or DatabaseTooNewError. */
export function openLabDatabase(file: string, opts: OpenOptions = {}): LabDatabase {
  // Path problems are found before SQLite creates or changes anything; every error names the path (open-errors.ts).
  checkDatabasePath(file, opts.mustExist ?? false);
  try {
    return new LabDatabase(file, opts);
  } catch (e) {
    throw describeOpenError(file, e);
  }
}
