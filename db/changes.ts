// What another process changed: PRAGMA data_version (bumped only by commits of other connections), a light
// scan of the runs' state columns, a stamp of the setups, and the metric rows after a known iteration. Used by
// main/db-watcher.ts; read-only.
import type Database from 'better-sqlite3';
import type { LabDatabase } from './lab-db';

/** id, status, last_iteration, owner_process of one run. */
export type RunState = [number, string, number, string | null];

export class ChangeReader {
  readonly #s;

  constructor(lab: LabDatabase) {
    const db: Database.Database = lab.db;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      dataVersion: p('PRAGMA data_version').pluck(),
      runStates: p('SELECT id, status, last_iteration, owner_process FROM runs ORDER BY id').raw(),
      setupsStamp: p(`SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || coalesce(max(updated_at), '') FROM setups`).pluck(),
      rowsAfter: p('SELECT iteration, value, wall_ms FROM metrics WHERE run_id = ? AND metric = ? AND iteration > ? ORDER BY iteration LIMIT ?').raw(),
    };
  }

  /** Changes whenever another connection commits (not for this connection's own writes). */
  dataVersion(): number {
    return this.#s.dataVersion.get() as number;
  }

  runStates(): RunState[] {
    return this.#s.runStates.all() as RunState[];
  }

  setupsStamp(): string {
    return this.#s.setupsStamp.get() as string;
  }

  /** Rows of a series after `iteration`, at most `limit`, in order: [iteration, value, wall_ms]. */
  rowsAfter(runId: number, metric: string, iteration: number, limit: number): [number, number, number][] {
    return this.#s.rowsAfter.all(runId, metric, iteration, limit) as [number, number, number][];
  }
}
