// LabService: setups, the run queue (in SQLite), a scheduler over a Piscina pool, and persistence of metric
// batches. It implements LabApi, validates every input with LabApiInputs (so the IPC and HTTP layers can call
// it directly), and has no Electron import: the desktop app, the browser-mode server, the CLI and the tests
// all construct it the same way.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
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
import type { RunTask, RunTaskResult, RunWorkerMessage } from '../workers/protocol';
import { DbWatcher } from './db-watcher';
import { Ownership, type ClaimPolicy, type LeaseOptions, type Reaped } from './ownership';
import { errorMessage, newRunsOf, parseJson, runSummary, setupRecord, thinIndices } from './run-records';

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
  /** Where the service reports trouble it recovers from (default: nowhere). */
  readonly log?: (line: string) => void;
}

type Input<M extends LabMethod> = z.output<(typeof LabApiInputs)[M]>;

interface Flight {
  readonly runId: number;
  readonly port: MessagePort;
  /** Element 0 counts the batches stored (flow control shared with the worker). */
  readonly acks: Int32Array;
  readonly controller: AbortController;
  /** Set once the run's status has been written; later messages and results are ignored. */
  finalized: boolean;
  /** The worker posted "end": every batch has arrived. */
  ended: boolean;
  result?: RunTaskResult;
  endTimer?: NodeJS.Timeout;
  lastProgressEvent: number;
}

/** How long to wait for the "end" marker after a task resolved before calling the run failed. */
const END_GRACE_MS = 10_000;
/** The ingest pump yields to the event loop after this much work. */
const INGEST_SLICE_MS = 8;

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
  #pool?: Piscina<RunTask, RunTaskResult>;
  readonly #flights = new Map<number, Flight>();
  readonly #listeners = new Set<(e: LabEvent) => void>();
  #idleWaiters: (() => void)[] = [];
  #closing?: Promise<void>;
  /** Worker messages waiting to be stored, in arrival order (bounded by workers x maxUnackedBatches). */
  #inbox: { flight: Flight; message: RunWorkerMessage }[] = [];
  #pumpScheduled = false;

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
      // Register this process's lease. Runs of processes whose lease ran out stopped mid-way (their metrics
      // are partial) and become 'interrupted'; runs of other live processes are left to them.
      const own = new Ownership(db, {
        kind: this.#opts.kind ?? 'test',
        policy: this.#opts.claim ?? 'own+orphaned',
        ...this.#opts.lease,
        onReaped: (r) => this.#onReaped(r),
        onLost: (silentMs) => this.#onLeaseLost(silentMs),
      });
      this.#own = own;
      own.start();
      this.#watcher = new DbWatcher(db, {
        pollMs: this.#opts.watchMs,
        isOwn: (id) => this.#flights.has(id),
        emitRun: (id) => this.#emitRun(id),
        emit: (e) => this.#emit(e),
        onChange: () => this.#schedule(),
        metricNames: (id) => parseJson<string[]>(db.getRun(id)?.metric_names_json ?? null, []),
      });
      this.#watcher.start();
      this.#pool = new Piscina<RunTask, RunTaskResult>({
        filename: pathToFileURL(this.workerFile).href,
        minThreads: this.workers,
        maxThreads: this.workers,
        concurrentTasksPerWorker: 1,
        idleTimeout: 60_000,
      });
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
    this.#inbox = [];
    this.#watcher?.stop();
    if (was === 'started' || was === 'starting') {
      for (const flight of [...this.#flights.values()]) {
        this.#finalize(flight, 'interrupted', null);
        flight.controller.abort();
      }
      try {
        await this.#pool?.destroy();
      } catch {
        // Aborted tasks reject; the pool is gone either way.
      }
    }
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
    const db = this.#requireDb();
    const out: MetricSeries[] = [];
    for (const runId of runIds) {
      const row = this.#requireRun(runId);
      const names = parseJson<string[]>(row.metric_names_json, []);
      for (const name of metric === undefined ? names : names.filter((n) => n === metric)) {
        if (maxPoints !== undefined) {
          const { rows, lastIteration } = db.seriesExtent(runId, name);
          if (rows > maxPoints && lastIteration === rows - 1) {
            // The engine stores k = 0..n-1 without gaps, so index = iteration: seek only the kept rows
            // through the primary key instead of reading the whole series into JavaScript.
            out.push({ runId, metric: name, ...db.readSeriesAt(runId, name, thinIndices(rows, maxPoints)) });
            continue;
          }
        }
        const s = db.readSeries(runId, name);
        if (maxPoints !== undefined && s.iterations.length > maxPoints) {
          const keep = thinIndices(s.iterations.length, maxPoints);
          out.push({ runId, metric: name, iterations: keep.map((i) => s.iterations[i]), values: keep.map((i) => s.values[i]), wallMs: keep.map((i) => s.wallMs[i]) });
        } else {
          out.push({ runId, metric: name, ...s });
        }
      }
    }
    return out;
  }

  async cancelRun(raw: { id: number }): Promise<void> {
    const { id } = this.#input('cancelRun', raw);
    const db = this.#requireDb();
    const row = this.#requireRun(id);
    const flight = this.#flights.get(id);
    if (flight) {
      // Write the status first, then terminate the worker: its late messages and rejection are ignored.
      this.#finalize(flight, 'cancelled', null);
      flight.controller.abort();
      return;
    }
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
    if (row.status === 'running' || this.#flights.has(id)) throw new LabError('conflict', `run ${id} is running; cancel it first`);
    this.#own!.requeue([id]);
    this.#emitRun(id);
    this.#schedule();
  }

  async deleteRuns(raw: { ids?: number[]; setupId?: number }): Promise<{ deleted: number[] }> {
    const input = this.#input('deleteRuns', raw);
    const db = this.#requireDb();
    const ids = input.ids ?? db.listRuns(input.setupId).map((r) => r.id);
    const busy = ids.filter((id) => this.#flights.has(id) || db.getRun(id)?.status === 'running');
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
    while (this.#flights.size < this.workers) {
      // One atomic statement: no other process can claim the same run.
      const row = own.claimNext();
      if (!row) break;
      this.#dispatch(row);
      this.#emitRun(row.id);
    }
    this.#checkIdle();
  }

  #dispatch(row: RunRow): void {
    const { port1, port2 } = new MessageChannel();
    const acks = new Int32Array(new SharedArrayBuffer(4));
    const flight: Flight = { runId: row.id, port: port1, acks, controller: new AbortController(), finalized: false, ended: false, lastProgressEvent: 0 };
    this.#flights.set(row.id, flight);
    port1.on('message', (message: RunWorkerMessage) => {
      // Only queue here: a port delivers every pending message in one go, so storing them now could hold the
      // event loop for as long as the backlog; the pump stores them in time slices.
      this.#inbox.push({ flight, message });
      this.#schedulePump();
    });
    const task: RunTask = {
      runId: row.id,
      spec: parseJson<unknown>(row.spec_json, null),
      port: port2,
      // 512 rows x a few metrics is a few ms of SQLite work per batch: short slices for the event loop.
      batchRows: this.#opts.batchRows ?? 512,
      batchMs: this.#opts.batchMs,
      acks,
      maxUnacked: this.#opts.maxUnackedBatches ?? 4,
    };
    this.#pool!.run(task, { transferList: [port2], signal: flight.controller.signal }).then(
      (result) => this.#onResult(flight, result),
      (error: unknown) => {
        if (!flight.finalized) this.#finalize(flight, 'failed', errorMessage(error));
      },
    );
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(this.#pump);
  }

  /** Stores queued worker messages for at most INGEST_SLICE_MS, then yields to the event loop. */
  readonly #pump = (): void => {
    this.#pumpScheduled = false;
    const until = performance.now() + INGEST_SLICE_MS;
    let i = 0;
    const inbox = this.#inbox;
    while (i < inbox.length) {
      const { flight, message } = inbox[i++];
      this.#onMessage(flight, message);
      if (performance.now() >= until) break;
    }
    inbox.splice(0, i);
    if (inbox.length) this.#schedulePump();
  };

  #onMessage(flight: Flight, m: RunWorkerMessage): void {
    if (flight.finalized || this.#state !== 'started') return;
    if (m.type === 'end') {
      flight.ended = true;
      if (flight.result) this.#complete(flight, flight.result);
      return;
    }
    const db = this.#requireDb();
    try {
      // Stored only while this process owns the run (checked in the same transaction).
      const stored = this.#own!.whileOwned(flight.runId, () => {
        if (m.type === 'meta') db.setRunMeta(flight.runId, JSON.stringify(m.metrics), JSON.stringify(m.references), JSON.stringify(m.metrics.map((d) => d.name)));
        else if (m.type === 'snapshot') db.insertSnapshot(flight.runId, m.iteration, m.kind, m.meta, m.data);
        else db.insertMetrics(flight.runId, m);
      });
      if (!stored) {
        // Another process took the run over (this process had lost its lease): stop without writing.
        this.#abandon(flight);
        return;
      }
      if (m.type === 'meta') {
        this.#emitRun(flight.runId);
        return; // not counted by flow control
      }
    } catch (e) {
      this.#finalize(flight, 'failed', `could not store ${m.type === 'snapshot' ? 'a snapshot' : 'metrics'}: ${errorMessage(e)}`);
      flight.controller.abort();
      return;
    }
    Atomics.add(flight.acks, 0, 1);
    Atomics.notify(flight.acks, 0);
    if (m.type === 'snapshot') {
      this.#emit({ type: 'snapshot', runId: flight.runId, iteration: m.iteration });
      return;
    }
    if (this.#listeners.size) {
      this.#emit({
        type: 'metrics',
        runId: flight.runId,
        names: m.names,
        iterations: Array.from(m.iterations),
        wallMs: Array.from(m.wallMs),
        values: Array.from(m.values),
      });
      const now = performance.now();
      if (now - flight.lastProgressEvent >= (this.#opts.progressMs ?? 250)) {
        flight.lastProgressEvent = now;
        this.#emitRun(flight.runId);
      }
    }
  }

  #onResult(flight: Flight, result: RunTaskResult): void {
    if (flight.finalized) return;
    flight.result = result;
    if (flight.ended) {
      this.#complete(flight, result);
      return;
    }
    // The result travels on Piscina's port, the batches on ours: wait for our "end" marker.
    flight.endTimer = setTimeout(() => {
      if (!flight.finalized) this.#finalize(flight, 'failed', 'the worker finished, but its last metric batches never arrived');
    }, END_GRACE_MS);
  }

  #complete(flight: Flight, result: RunTaskResult): void {
    this.#finalize(flight, result.status, result.message ?? null);
  }

  /** Writes the run's status, forgets the task, and schedules the next queued run. */
  #finalize(flight: Flight, status: RunStatus, error: string | null): void {
    if (flight.finalized) return;
    flight.finalized = true;
    if (flight.endTimer) clearTimeout(flight.endTimer);
    this.#flights.delete(flight.runId);
    flight.port.close();
    if (this.#db?.open) {
      this.#own?.finish(flight.runId, status, error);
      this.#emitRun(flight.runId);
    }
    this.#schedule();
  }

  /** Stops a task whose run is no longer this process's (its lease was lost), writing nothing. */
  #abandon(flight: Flight): void {
    if (flight.finalized) return;
    flight.finalized = true;
    if (flight.endTimer) clearTimeout(flight.endTimer);
    this.#flights.delete(flight.runId);
    flight.port.close();
    flight.controller.abort();
    this.#emitRun(flight.runId);
  }

  /** This process stalled past its lease and was reaped: its runs were interrupted by another process. */
  #onLeaseLost(silentMs: number): void {
    this.#opts.log?.(`this process renewed its lease ${silentMs} ms after the last time (lease ${this.#own?.leaseMs} ms): another process found it dead and interrupted its ${this.#flights.size} running run(s)`);
    for (const flight of [...this.#flights.values()]) this.#abandon(flight);
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
    return this.#flights.size === 0 && this.#own!.countClaimable() === 0;
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
