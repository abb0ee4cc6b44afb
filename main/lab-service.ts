// LabService: setups, the run queue (in SQLite), a scheduler over a Piscina pool, and persistence of metric
// batches. It implements LabApi, validates every input with LabApiInputs (so the IPC and HTTP layers can call
// it directly), and has no Electron import: the desktop app, the browser-mode server, the CLI and the tests
// all construct it the same way.
import { existsSync } from 'node:fs';
import os from 'node:os';
import type { z } from 'zod';
import {
  LabError, type LabApi, type LabEvent, type LabInfo, type LabMethod, type MetricSeries, type Preset, type RunDetail, type RunStatus, type RunSummary, type SetupRecord, type ValidationReport,
  type SnapshotData, type SnapshotIndex, type ReferenceLine, type GroupedMetricsInput, type GroupedSeries,
} from '../src/api';
import { inShard } from '../src/setup/shard';
import { snapshotData } from './snapshot-records';
import { groupedMetrics } from './grouped-metrics';
import { LabApiInputs } from '../src/api-inputs';
import { formatIssue, issuesFromZod } from '../src/setup/issues';
import { parseSetup } from '../src/setup/schema';
import { PRESETS } from '../src/presets/index';
import { openLabDatabase, type LabDatabase, type RunRow } from '../db/lab-db';
import type { DbWatcher } from './db-watcher';
import type { RunFlights } from './run-flights';
import { startServiceParts } from './service-parts';
import { readSeriesInline, SeriesWorkerError, type SeriesReader } from './series-reader';
import type { Ownership, Reaped } from './ownership';
import type { LabServiceOptions } from './service-options';
import { newRunsOf, parseJson, runSummary, setupRecord } from './run-records';

export type { LabServiceOptions } from './service-options';

type Input<M extends LabMethod> = z.output<(typeof LabApiInputs)[M]>;

export { newRunsOf, runSummary, thinIndices } from './run-records';

export class LabService implements LabApi {
  readonly dbPath: string;
  readonly workers: number;
  readonly workerFile: string;
  readonly appVersion: string;
  readonly #opts: LabServiceOptions;
  #state: 'new' | 'starting' | 'started' | 'closing' | 'closed' = 'new';
  #db?: LabDatabase;
  #own?: Ownership;
  #watcher?: DbWatcher;
  #series?: SeriesReader;
  #flights?: RunFlights;
  readonly #listeners = new Set<(e: LabEvent) => void>();
  #idleWaiters: (() => void)[] = [];
  #closing?: Promise<void>;

  constructor(opts: LabServiceOptions) {
    this.#opts = opts;
    this.dbPath = opts.dbPath;
    this.workers = Math.max(1, Math.floor(opts.workers ?? os.availableParallelism()));
    this.workerFile = opts.workerFile;
    this.appVersion = opts.appVersion;
  }

  // ---- lifecycle ----

  /** Opens and migrates the database, marks runs left 'running' as 'interrupted', starts the pool and the queue. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new LabError('conflict', `the lab service cannot start: it is ${this.#state}`);
    this.#state = 'starting';
    try {
      if (!existsSync(this.workerFile)) throw new Error(`worker file ${this.workerFile} does not exist; build it with "node scripts/build.mjs --node-only"`);
      const db = openLabDatabase(this.dbPath, { nativeBinding: this.#opts.nativeBinding, mustExist: this.#opts.mustExist });
      this.#db = db;
      const parts = startServiceParts(db, this.#opts, this.workers, {
        onReaped: (r) => this.#onReaped(r),
        onLost: (silentMs) => this.#onLeaseLost(silentMs),
        isOwn: (id) => this.#flights?.has(id) ?? false,
        emit: (e) => this.#emit(e),
        emitRun: (id) => this.#emitRun(id),
        hasListeners: () => this.#listeners.size > 0,
        schedule: () => this.#schedule(),
      });
      ({ own: this.#own, watcher: this.#watcher, series: this.#series, flights: this.#flights } = parts);
    } catch (e) {
      this.#state = 'closed';
      this.#watcher?.stop();
      this.#own?.close();
      this.#db?.close();
      throw e;
    }
    this.#state = 'started';
    this.#schedule();
  }

  /** Subscribes to run and metric events; returns the unsubscribe function. */
  onEvent(listener: (e: LabEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Resolves when nothing is queued or running (or the service is closed). */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops scheduling, aborts running tasks and marks their runs 'interrupted' (resumable), destroys the pool,
   * closes the database. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const was = this.#state;
    this.#state = 'closing';
    this.#watcher?.stop();
    await this.#series?.close();
    if (was === 'started' || was === 'starting') await this.#flights?.close();
    // After the runs are interrupted: this process's queued runs become orphaned (the app or serve takes them).
    this.#own?.close();
    this.#db?.close();
    this.#state = 'closed';
    this.#flushIdle();
  }

  /** Direct access to the database (CLI export, tests, benchmarks); only LabDatabase methods write SQL. */
  get database(): LabDatabase {
    return this.#requireDb();
  }

  /** This process's lease (its id in the database, label, heartbeat and timeout). */
  get ownership(): Ownership {
    if (!this.#own) throw new LabError('internal', 'the lab service is not running');
    return this.#own;
  }

  /** getMetrics calls answered by the series reader thread so far. */
  get seriesReadsOffThread(): number {
    return this.#series?.completed ?? 0;
  }

  /** One heartbeat and change poll now (tests; normally on timers). */
  tick(): void {
    if (this.#state !== 'started') return;
    this.#own?.tick();
    this.#watcher?.poll();
  }

  /**
   * `wgflab resume`: takes every queued run (of one setup, or all) into this process's queue and queues the
   * interrupted ones again from the start (their partial metrics are deleted).
   */
  adoptForResume(setupId: number | null = null): { queued: number[]; interrupted: number[] } {
    this.#requireDb();
    const r = this.#own!.store.adoptForResume(this.#own!.id, setupId);
    for (const id of r.interrupted) this.#emitRun(id);
    this.#schedule();
    return r;
  }

  // ---- LabApi ----

  async info(raw: unknown = {}): Promise<LabInfo> {
    this.#input('info', raw);
    return { version: this.appVersion, dbPath: this.dbPath, workers: this.workers };
  }

  async listPresets(raw: unknown = {}): Promise<Preset[]> {
    this.#input('listPresets', raw);
    return [...PRESETS];
  }

  async listSetups(raw: unknown = {}): Promise<SetupRecord[]> {
    this.#input('listSetups', raw);
    return this.#requireDb().listSetups().map(setupRecord);
  }

  async saveSetup(raw: { id?: number; setup: unknown }): Promise<SetupRecord> {
    const input = this.#input('saveSetup', raw);
    const db = this.#requireDb();
    const parsed = parseSetup(input.setup);
    if (!parsed.ok) throw new LabError('invalid', parsed.issues.map(formatIssue).join('\n'), parsed.issues);
    const json = JSON.stringify(input.setup);
    const name = parsed.value.setup.name;
    let id: number;
    if (input.id === undefined) {
      id = db.insertSetup(name, json);
    } else {
      if (!db.updateSetup(input.id, name, json)) throw new LabError('not_found', `setup ${input.id} does not exist`);
      id = input.id;
    }
    this.#emit({ type: 'setups' });
    return setupRecord(db.getSetup(id)!);
  }

  async deleteSetup(raw: { id: number }): Promise<void> {
    const { id } = this.#input('deleteSetup', raw);
    if (!this.#requireDb().deleteSetup(id)) throw new LabError('not_found', `setup ${id} does not exist`);
    this.#emit({ type: 'setups' });
  }

  async validateSetup(raw: { setup: unknown }): Promise<ValidationReport> {
    const { setup } = this.#input('validateSetup', raw);
    const parsed = parseSetup(setup);
    return parsed.ok ? { ok: true, issues: [], warnings: parsed.value.warnings, runCount: parsed.value.runs.length } : { ok: false, issues: parsed.issues, warnings: [], runCount: 0 };
  }

  async queueSetup(raw: { setupId: number; shard?: { index: number; count: number } }): Promise<{ runIds: number[] }> {
    const { setupId, shard } = this.#input('queueSetup', raw);
    const db = this.#requireDb();
    const row = db.getSetup(setupId);
    if (!row) throw new LabError('not_found', `setup ${setupId} does not exist`);
    const parsed = parseSetup(parseJson<unknown>(row.json, null));
    if (!parsed.ok) throw new LabError('invalid', parsed.issues.map(formatIssue).join('\n'), parsed.issues);
    const runs = shard ? parsed.value.runs.filter((_, i) => inShard(i, shard)) : parsed.value.runs;
    const runIds = this.#own!.insertRuns(newRunsOf(setupId, runs, this.appVersion));
    this.#emit({ type: 'setups' });
    for (const id of runIds) this.#emitRun(id);
    this.#schedule();
    return { runIds };
  }

  async listRuns(raw: { setupId?: number; status?: RunStatus[] } = {}): Promise<RunSummary[]> {
    const { setupId, status } = this.#input('listRuns', raw);
    let rows = this.#requireDb().listRuns(setupId);
    if (status) {
      const wanted = new Set(status);
      rows = rows.filter((r) => wanted.has(r.status));
    }
    return rows.map(runSummary);
  }

  async getRun(raw: { id: number }): Promise<RunDetail> {
    const { id } = this.#input('getRun', raw);
    const row = this.#requireRun(id);
    return {
      ...runSummary(row),
      spec: parseJson(row.spec_json, {} as RunDetail['spec']),
      appVersion: row.app_version,
      metricNames: parseJson<string[]>(row.metric_names_json, []),
      references: parseJson<ReferenceLine[]>(row.references_json, []),
    };
  }

  async getGroupedMetrics(raw: GroupedMetricsInput): Promise<GroupedSeries[]> {
    const input = this.#input('getGroupedMetrics', raw);
    for (const id of input.runIds) this.#requireRun(id);
    return groupedMetrics(this.#requireDb(), input as GroupedMetricsInput);
  }

  async listSnapshots(raw: { runIds: number[] }): Promise<SnapshotIndex[]> {
    const { runIds } = this.#input('listSnapshots', raw);
    const db = this.#requireDb();
    return runIds.map((runId) => {
      this.#requireRun(runId);
      return { runId, iterations: db.snapshotIndex(runId).map((r) => r.iteration) };
    });
  }

  async getSnapshots(raw: { runId: number; iterations: number[] }): Promise<SnapshotData[]> {
    const { runId, iterations } = this.#input('getSnapshots', raw);
    const db = this.#requireDb();
    this.#requireRun(runId);
    const out: SnapshotData[] = [];
    for (const k of iterations) {
      const row = db.getSnapshot(runId, k);
      if (row) out.push(snapshotData(row));
    }
    return out;
  }

  async getMetrics(raw: { runIds: number[]; metric?: string; maxPoints?: number }): Promise<MetricSeries[]> {
    const { runIds, metric, maxPoints } = this.#input('getMetrics', raw);
    const runs: { runId: number; names: string[] }[] = [];
    let rows = 0;
    for (const runId of runIds) {
      const row = this.#requireRun(runId);
      const all = parseJson<string[]>(row.metric_names_json, []);
      const names = metric === undefined ? all : all.filter((n) => n === metric);
      runs.push({ runId, names });
      rows += names.length * Math.min(maxPoints ?? Infinity, row.last_iteration + 1);
    }
    // A large read (a Compare of many long runs) goes to the series worker's read-only connection, so the
    // event loop keeps serving small requests and storing metric batches meanwhile.
    if (this.#series?.offThread(rows)) {
      try {
        return await this.#series.read(runs, maxPoints);
      } catch (e) {
        if (!(e instanceof SeriesWorkerError)) throw e;
        this.#opts.log?.(`${e.message}; reading metric series on the main thread from now on`);
      }
    }
    return readSeriesInline(this.#requireDb(), runs, maxPoints);
  }

  async cancelRun(raw: { id: number }): Promise<void> {
    const { id } = this.#input('cancelRun', raw);
    const db = this.#requireDb();
    const row = this.#requireRun(id);
    if (this.#flights!.stop(id, 'cancelled')) return;
    if (row.status === 'queued' || row.status === 'interrupted') {
      db.cancelQueued(id);
      this.#emitRun(id);
      this.#checkIdle();
      return;
    }
    if (row.status === 'running') throw new LabError('conflict', `run ${id} is running in another process; cancel it there`);
    throw new LabError('conflict', `run ${id} is already ${row.status}; only queued, running or interrupted runs can be cancelled`);
  }

  async requeueRun(raw: { id: number }): Promise<void> {
    const { id } = this.#input('requeueRun', raw);
    const row = this.#requireRun(id);
    if (row.status === 'queued') return;
    if (row.status === 'running' || this.#flights!.has(id)) throw new LabError('conflict', `run ${id} is running; cancel it first`);
    this.#own!.requeue([id]);
    this.#emitRun(id);
    this.#schedule();
  }

  async deleteRuns(raw: { ids?: number[]; setupId?: number }): Promise<{ deleted: number[] }> {
    const input = this.#input('deleteRuns', raw);
    const db = this.#requireDb();
    const ids = input.ids ?? db.listRuns(input.setupId).map((r) => r.id);
    const busy = ids.filter((id) => this.#flights!.has(id) || db.getRun(id)?.status === 'running');
    if (busy.length) throw new LabError('conflict', `run${busy.length === 1 ? '' : 's'} ${busy.join(', ')} ${busy.length === 1 ? 'is' : 'are'} running; cancel ${busy.length === 1 ? 'it' : 'them'} first`);
    const deleted = db.deleteRuns(ids);
    if (deleted.length) {
      this.#emit({ type: 'deleted', runIds: deleted });
      this.#emit({ type: 'setups' });
    }
    return { deleted };
  }

  async annotateRun(raw: { id: number; notes?: string; tags?: string[] }): Promise<RunSummary> {
    const { id, notes, tags } = this.#input('annotateRun', raw);
    const db = this.#requireDb();
    this.#requireRun(id);
    db.annotateRun(id, notes ?? null, tags ? JSON.stringify([...new Set(tags)]) : null);
    this.#emitRun(id);
    return runSummary(this.#requireRun(id));
  }

  async resumeInterrupted(raw: { setupId?: number } = {}): Promise<{ runIds: number[] }> {
    const { setupId } = this.#input('resumeInterrupted', raw);
    this.#requireDb();
    const runIds = this.#own!.store.idsWithStatus('interrupted', setupId ?? null);
    if (runIds.length) {
      this.#own!.requeue(runIds);
      for (const id of runIds) this.#emitRun(id);
      this.#schedule();
    }
    return { runIds };
  }

  // ---- scheduler ----

  #schedule(): void {
    if (this.#state !== 'started') return;
    const own = this.#own!;
    const flights = this.#flights!;
    while (flights.size < this.workers) {
      // One atomic statement: no other process can claim the same run.
      const row = own.claimNext();
      if (!row) break;
      flights.dispatch(row);
      this.#emitRun(row.id);
    }
    this.#checkIdle();
  }

  /** This process stalled past its lease and was reaped: its runs were interrupted by another process. */
  #onLeaseLost(silentMs: number): void {
    const n = this.#flights?.abandonAll() ?? 0;
    this.#opts.log?.(`this process renewed its lease ${silentMs} ms after the last time (lease ${this.#own?.leaseMs} ms): another process found it dead and interrupted its ${n} running run(s)`);
    this.#schedule();
  }

  #onReaped(r: Reaped): void {
    for (const id of r.runIds) this.#emitRun(id);
    if (r.processes.length) {
      this.#emit({ type: 'stale', processes: r.processes.map((p) => ({ id: p.id, label: `${p.kind} ${p.pid}@${p.host}` })), runIds: r.runIds });
    }
    this.#schedule();
  }

  #isIdle(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state !== 'started') return false;
    return this.#flights!.size === 0 && this.#own!.countClaimable() === 0;
  }

  #checkIdle(): void {
    if (this.#idleWaiters.length && this.#isIdle()) this.#flushIdle();
  }

  #flushIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  // ---- helpers ----

  #input<M extends LabMethod>(method: M, raw: unknown): Input<M> {
    const schema = LabApiInputs[method];
    const parsed = schema.safeParse(raw ?? {});
    if (!parsed.success) {
      const issues = issuesFromZod(parsed.error, schema, raw);
      throw new LabError('invalid', `invalid input to ${method}: ${issues.map(formatIssue).join('; ')}`, issues);
    }
    return parsed.data as Input<M>;
  }

  #requireDb(): LabDatabase {
    if (this.#state !== 'started' || !this.#db) throw new LabError('internal', `the lab service is not running (it is ${this.#state})`);
    return this.#db;
  }

  #requireRun(id: number): RunRow {
    const row = this.#requireDb().getRun(id);
    if (!row) throw new LabError('not_found', `run ${id} does not exist`);
    return row;
  }

  #emitRun(id: number): void {
    if (!this.#listeners.size || !this.#db?.open) return;
    const row = this.#db.getRun(id);
    if (row) this.#emit({ type: 'run', run: runSummary(row) });
  }

  #emit(e: LabEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(e);
      } catch {
        // A listener's failure must not break the run that produced the event.
      }
    }
  }
}
