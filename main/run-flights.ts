// The runs this process is running: one Piscina task per run, its MessagePort of metric batches, flow control
// (a shared counter of stored batches), the ingest pump that stores batches in time slices, and the end of a
// run (status written once; late messages ignored). LabService decides what to run; this file runs it.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { LabEvent, RunStatus } from '../src/api';
import type { RunRow } from '../db/lab-db';
import type { RunTask, RunTaskResult, RunWorkerMessage } from '../workers/protocol';
import { errorMessage, parseJson } from './run-records';

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

export interface RunFlightsOptions {
  readonly workerFile: string;
  readonly workers: number;
  readonly batchRows?: number;
  readonly batchMs?: number;
  readonly progressMs?: number;
  readonly maxUnackedBatches?: number;
  /** Stores a batch, snapshot or the metric definitions while this process owns the run; false when it no longer does (nothing stored). */
  readonly store: (runId: number, m: Exclude<RunWorkerMessage, { type: 'end' }>) => boolean;
  /** Writes a run's final status (or interrupted) while this process owns it. */
  readonly finish: (runId: number, status: RunStatus, error: string | null) => void;
  readonly emit: (e: LabEvent) => void;
  readonly emitRun: (runId: number) => void;
  readonly hasListeners: () => boolean;
  /** A slot became free (a run ended): schedule the next. */
  readonly onFreed: () => void;
}

export class RunFlights {
  readonly #opts: RunFlightsOptions;
  readonly #pool: Piscina<RunTask, RunTaskResult>;
  readonly #flights = new Map<number, Flight>();
  /** Worker messages waiting to be stored, in arrival order (bounded by workers x maxUnackedBatches). */
  #inbox: { flight: Flight; message: RunWorkerMessage }[] = [];
  #pumpScheduled = false;
  #stopped = false;

  constructor(opts: RunFlightsOptions) {
    this.#opts = opts;
    this.#pool = new Piscina<RunTask, RunTaskResult>({
      filename: pathToFileURL(opts.workerFile).href,
      minThreads: opts.workers,
      maxThreads: opts.workers,
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
    });
  }

  get size(): number {
    return this.#flights.size;
  }

  has(runId: number): boolean {
    return this.#flights.has(runId);
  }

  /** Starts a claimed run on the pool. */
  dispatch(row: RunRow): void {
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
    this.#pool.run(task, { transferList: [port2], signal: flight.controller.signal }).then(
      (result) => this.#onResult(flight, result),
      (error: unknown) => {
        if (!flight.finalized) this.#finalize(flight, 'failed', errorMessage(error));
      },
    );
  }

  /** Writes the status first, then terminates the worker: its late messages and rejection are ignored. */
  stop(runId: number, status: RunStatus): boolean {
    const flight = this.#flights.get(runId);
    if (!flight) return false;
    this.#finalize(flight, status, null);
    flight.controller.abort();
    return true;
  }

  /** This process lost its lease: its tasks stop, writing nothing (another process interrupted their runs). */
  abandonAll(): number {
    const n = this.#flights.size;
    for (const flight of [...this.#flights.values()]) this.#abandon(flight);
    return n;
  }

  /** Marks every running run 'interrupted' (resumable) and destroys the pool. */
  async close(): Promise<void> {
    this.#inbox = [];
    for (const flight of [...this.#flights.values()]) {
      this.#finalize(flight, 'interrupted', null);
      flight.controller.abort();
    }
    this.#stopped = true;
    try {
      await this.#pool.destroy();
    } catch {
      // Aborted tasks reject; the pool is gone either way.
    }
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
    if (flight.finalized || this.#stopped) return;
    if (m.type === 'end') {
      flight.ended = true;
      if (flight.result) this.#complete(flight, flight.result);
      return;
    }
    try {
      if (!this.#opts.store(flight.runId, m)) {
        // Another process took the run over (this process had lost its lease): stop without writing.
        this.#abandon(flight);
        return;
      }
    } catch (e) {
      this.#finalize(flight, 'failed', `could not store ${m.type === 'snapshot' ? 'a snapshot' : 'metrics'}: ${errorMessage(e)}`);
      flight.controller.abort();
      return;
    }
    if (m.type === 'meta') {
      this.#opts.emitRun(flight.runId);
      return; // not counted by flow control
    }
    Atomics.add(flight.acks, 0, 1);
    Atomics.notify(flight.acks, 0);
    if (m.type === 'snapshot') {
      this.#opts.emit({ type: 'snapshot', runId: flight.runId, iteration: m.iteration });
      return;
    }
    if (this.#opts.hasListeners()) {
      this.#opts.emit({
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
        this.#opts.emitRun(flight.runId);
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

  #forget(flight: Flight): void {
    flight.finalized = true;
    if (flight.endTimer) clearTimeout(flight.endTimer);
    this.#flights.delete(flight.runId);
    flight.port.close();
  }

  /** Writes the run's status, forgets the task, and lets the scheduler fill the slot. */
  #finalize(flight: Flight, status: RunStatus, error: string | null): void {
    if (flight.finalized) return;
    this.#forget(flight);
    this.#opts.finish(flight.runId, status, error);
    this.#opts.onFreed();
  }

  /** Stops a task whose run is no longer this process's, writing nothing. */
  #abandon(flight: Flight): void {
    if (flight.finalized) return;
    this.#forget(flight);
    flight.controller.abort();
    this.#opts.emitRun(flight.runId);
  }
}
