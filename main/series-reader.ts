// Large metric reads off the main thread: a worker thread (dist/workers/series-worker.mjs) with its own
// read-only SQLite connection reads and thins the series and transfers them back as typed arrays; the main
// thread turns them into MetricSeries in time slices. Small reads stay inline (a round trip costs more).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MetricSeries } from '../src/api';
import type { LabDatabase } from '../db/lab-db';
import { thinIndices } from './run-records';
import type { ColumnSeries, SeriesReply, SeriesRequest } from './series-thin';

/** Reads estimated above this many rows go to the worker (WGFLAB_SERIES_INLINE_ROWS; "Infinity" = never). */
const DEFAULT_INLINE_ROWS = 50_000;
/** The main thread converts series for at most this long before it yields to the event loop. */
const SLICE_MS = 8;

export interface SeriesReaderOptions {
  readonly dbPath: string;
  readonly nativeBinding?: string;
  /** dist/workers/series-worker.mjs; reads stay inline when it does not exist. */
  readonly workerFile: string;
  readonly inlineRows?: number;
}

/** The worker failed (not the read): the caller reads inline instead. */
export class SeriesWorkerError extends Error {}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

export class SeriesReader {
  readonly inlineRows: number;
  readonly #opts: SeriesReaderOptions;
  #worker?: Worker;
  readonly #pending = new Map<number, { resolve: (s: ColumnSeries[]) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #closed = false;
  /** The worker could not start or died (e.g. better-sqlite3 not resolvable from an unpacked asar): reads stay inline. */
  #broken = false;

  constructor(opts: SeriesReaderOptions) {
    this.#opts = opts;
    const env = process.env.WGFLAB_SERIES_INLINE_ROWS;
    this.inlineRows = opts.inlineRows ?? (env ? Number(env) : DEFAULT_INLINE_ROWS);
  }

  /** dist/workers/series-worker.mjs beside the run worker. */
  static workerFileBeside(runWorkerFile: string): string {
    return path.join(path.dirname(runWorkerFile), 'series-worker.mjs');
  }

  /** Whether a read of about `rows` rows goes to the worker. */
  offThread(rows: number): boolean {
    return !this.#closed && !this.#broken && rows > this.inlineRows && existsSync(this.#opts.workerFile);
  }

  /** Reads answered by the worker so far. */
  completed = 0;

  async read(runs: SeriesRequest['runs'], maxPoints: number | undefined): Promise<MetricSeries[]> {
    const columns = await this.#request(runs, maxPoints);
    this.completed++;
    const out: MetricSeries[] = [];
    let until = performance.now() + SLICE_MS;
    for (const c of columns) {
      out.push({ runId: c.runId, metric: c.metric, iterations: Array.from(c.iterations), values: Array.from(c.values), wallMs: Array.from(c.wallMs) });
      if (performance.now() > until) {
        await yieldToLoop();
        until = performance.now() + SLICE_MS;
      }
    }
    return out;
  }

  #request(runs: SeriesRequest['runs'], maxPoints: number | undefined): Promise<ColumnSeries[]> {
    const worker = this.#spawn();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, runs, maxPoints } satisfies SeriesRequest);
    });
  }

  #spawn(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(this.#opts.workerFile, { workerData: { dbPath: this.#opts.dbPath, nativeBinding: this.#opts.nativeBinding } });
    worker.on('message', (reply: SeriesReply) => {
      const p = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (!this.#pending.size) worker.unref();
      if (!p) return;
      if (reply.error !== undefined) p.reject(new Error(`reading metric series failed: ${reply.error}`));
      else p.resolve(reply.series);
    });
    const fail = (e: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      if (!this.#closed) this.#broken = true;
      for (const p of this.#pending.values()) p.reject(new SeriesWorkerError(`the series reader thread stopped: ${e.message}`));
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const w = this.#worker;
    this.#worker = undefined;
    if (w) await w.terminate();
  }
}

/** The same read on the main thread's connection, for small requests (and when the worker is unavailable). */
export function readSeriesInline(db: LabDatabase, runs: SeriesRequest['runs'], maxPoints: number | undefined): MetricSeries[] {
  const out: MetricSeries[] = [];
  for (const { runId, names } of runs) {
    for (const name of names) {
      if (maxPoints !== undefined) {
        const { rows: n, lastIteration } = db.seriesExtent(runId, name);
        if (n > maxPoints && lastIteration === n - 1) {
          // The engine stores k = 0..n-1 without gaps, so index = iteration: seek only the kept rows
          // through the primary key instead of reading the whole series into JavaScript.
          out.push({ runId, metric: name, ...db.readSeriesAt(runId, name, thinIndices(n, maxPoints)) });
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
