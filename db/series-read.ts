// A read-only connection for metric series, used off the main thread (main/series-worker.ts): the same
// reads as LabDatabase.readSeries / readSeriesAt, returned as typed arrays that can be transferred.
import Database from 'better-sqlite3';

export interface SeriesColumns {
  readonly iterations: Float64Array;
  readonly values: Float64Array;
  readonly wallMs: Float64Array;
}

function columns(rows: [number, number, number][]): SeriesColumns {
  const n = rows.length;
  const iterations = new Float64Array(n);
  const values = new Float64Array(n);
  const wallMs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    iterations[i] = r[0];
    values[i] = r[1];
    wallMs[i] = r[2];
  }
  return { iterations, values, wallMs };
}

export class SeriesReadConnection {
  readonly #db: Database.Database;
  readonly #s;

  constructor(file: string, nativeBinding?: string) {
    this.#db = new Database(file, { readonly: true, fileMustExist: true, nativeBinding });
    this.#db.pragma('busy_timeout = 10000');
    const p = (sql: string) => this.#db.prepare(sql);
    this.#s = {
      names: p('SELECT metric_names_json FROM runs WHERE id = ?').pluck(),
      extent: p('SELECT count(*), max(iteration) FROM metrics WHERE run_id = ? AND metric = ?').raw(),
      series: p('SELECT iteration, value, wall_ms FROM metrics WHERE run_id = ? AND metric = ? ORDER BY iteration').raw(),
      // IN (list subquery): one primary-key seek per kept iteration (see LabDatabase.readSeriesAt).
      seriesAt: p(`SELECT iteration, value, wall_ms FROM metrics
                   WHERE run_id = ? AND metric = ? AND iteration IN (SELECT value FROM json_each(?)) ORDER BY iteration`).raw(),
    };
  }

  metricNames(runId: number): string[] {
    const text = this.#s.names.get(runId) as string | null | undefined;
    try {
      return text ? (JSON.parse(text) as string[]) : [];
    } catch {
      return [];
    }
  }

  extent(runId: number, metric: string): { rows: number; lastIteration: number | null } {
    const [rows, last] = this.#s.extent.get(runId, metric) as [number, number | null];
    return { rows, lastIteration: last };
  }

  series(runId: number, metric: string): SeriesColumns {
    return columns(this.#s.series.all(runId, metric) as [number, number, number][]);
  }

  seriesAt(runId: number, metric: string, at: readonly number[]): SeriesColumns {
    return columns(this.#s.seriesAt.all(runId, metric, JSON.stringify(at)) as [number, number, number][]);
  }

  close(): void {
    this.#db.close();
  }
}
