// Run ownership by lease (migration 0006): process registrations and heartbeats, the atomic claim of a queued
// run, and the reaping of processes whose lease ran out. Every statement is prepared once; each multi-statement
// change is one IMMEDIATE transaction with nothing async inside.
import type Database from 'better-sqlite3';
import type { RunStatus } from '../src/api';
import type { LabDatabase, MetricRows, NewRun, RunRow } from './lab-db';

/** A row of `processes`. */
export interface ProcessRow {
  readonly id: string;
  readonly kind: string;
  readonly host: string;
  readonly pid_ns: string;
  readonly pid: number;
  readonly started_at: string;
  /** Unix ms of the last heartbeat. */
  readonly heartbeat_at: number;
  readonly heartbeat_ms: number;
  readonly lease_ms: number;
}

/** The run columns added by 0006. */
export interface LeasedRunRow extends RunRow {
  readonly owner_process: string | null;
  readonly queued_by: string | null;
  readonly attempts: number;
}

/**
 * Which queued runs a process claims: 'own' only those it queued (`wgflab run`, `wgflab resume` after adopting
 * them), 'own+orphaned' also those whose queuing process is gone (the app and serve).
 */
export type ClaimPolicy = 'own' | 'own+orphaned';

export interface Reaped {
  /** Processes whose lease ran out (or that the pid check found gone after a missed heartbeat). */
  readonly processes: readonly ProcessRow[];
  /** Runs that were 'running' under a dead or unknown process and are now 'interrupted'. */
  readonly runIds: readonly number[];
}

const nowIso = (): string => new Date().toISOString();

const CLAIMABLE = `status = 'queued' AND (queued_by = @me OR (@orphans = 1 AND (queued_by IS NULL OR queued_by NOT IN (SELECT id FROM processes))))`;

export class LeaseStore {
  readonly #db: Database.Database;
  readonly #lab: LabDatabase;
  readonly #s;

  constructor(lab: LabDatabase) {
    this.#lab = lab;
    const db = lab.db;
    this.#db = db;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      register: p(`INSERT INTO processes (id, kind, host, pid_ns, pid, started_at, heartbeat_at, heartbeat_ms, lease_ms)
                   VALUES (@id, @kind, @host, @pid_ns, @pid, @started_at, @heartbeat_at, @heartbeat_ms, @lease_ms)`),
      beat: p('UPDATE processes SET heartbeat_at = ? WHERE id = ?'),
      unregister: p('DELETE FROM processes WHERE id = ?'),
      get: p('SELECT * FROM processes WHERE id = ?'),
      list: p('SELECT * FROM processes ORDER BY started_at, id'),
      // One statement: the subquery and the update run under the write lock, so two processes never claim the
      // same run; a process that was reaped (no row any more) claims nothing.
      claim: p(`UPDATE runs SET status = 'running', owner_process = @me, owner = @label, started_at = @now, finished_at = NULL,
                  error = NULL, attempts = attempts + 1
                WHERE id = (SELECT id FROM runs WHERE ${CLAIMABLE} ORDER BY id LIMIT 1)
                  AND status = 'queued' AND EXISTS (SELECT 1 FROM processes WHERE id = @me)
                RETURNING *`),
      countClaimable: p(`SELECT count(*) FROM runs WHERE ${CLAIMABLE}`).pluck(),
      finishOwned: p(`UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running' AND owner_process = ?`),
      owns: p(`SELECT 1 FROM runs WHERE id = ? AND status = 'running' AND owner_process = ?`).pluck(),
      interruptOf: p(`UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running' AND owner_process = ? RETURNING id`).pluck(),
      // Running under a process id that has no row (reaped by someone else mid-way, or deleted by hand).
      interruptUnknown: p(`UPDATE runs SET status = 'interrupted', finished_at = ?
                           WHERE status = 'running' AND owner_process IS NOT NULL AND owner_process NOT IN (SELECT id FROM processes)
                           RETURNING id`).pluck(),
      anyUnknown: p(`SELECT 1 FROM runs WHERE status = 'running' AND owner_process IS NOT NULL AND owner_process NOT IN (SELECT id FROM processes) LIMIT 1`).pluck(),
      legacyRunning: p(`SELECT id, owner FROM runs WHERE status = 'running' AND owner_process IS NULL ORDER BY id`),
      interruptOne: p(`UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id = ? AND status = 'running'`),
      runningOwners: p(`SELECT p.*, count(r.id) AS running FROM processes p JOIN runs r ON r.owner_process = p.id AND r.status = 'running'
                         GROUP BY p.id ORDER BY p.started_at`),
      setQueuedBy: p(`UPDATE runs SET queued_by = ? WHERE id = ? AND status = 'queued'`),
      adoptQueued: p(`UPDATE runs SET queued_by = @me WHERE status = 'queued' AND (@setup IS NULL OR setup_id = @setup) RETURNING id`).pluck(),
      idsWithStatus: p(`SELECT id FROM runs WHERE status = @status AND (@setup IS NULL OR setup_id = @setup) ORDER BY id`).pluck(),
    };
  }

  register(row: ProcessRow): void {
    this.#s.register.run(row);
  }

  /** Renews the heartbeat; false when the row is gone (this process was reaped as dead). */
  beat(id: string, nowMs: number): boolean {
    return this.#s.beat.run(nowMs, id).changes > 0;
  }

  unregister(id: string): void {
    this.#s.unregister.run(id);
  }

  get(id: string): ProcessRow | undefined {
    return this.#s.get.get(id) as ProcessRow | undefined;
  }

  list(): ProcessRow[] {
    return this.#s.list.all() as ProcessRow[];
  }

  /** The processes that have running runs, with how many. */
  runningOwners(): (ProcessRow & { running: number })[] {
    return this.#s.runningOwners.all() as (ProcessRow & { running: number })[];
  }

  /** Claims the first claimable queued run (queued -> running, owned by `me`), or undefined. */
  claimNext(me: string, label: string, policy: ClaimPolicy): LeasedRunRow | undefined {
    return this.#s.claim.get({ me, label, now: nowIso(), orphans: policy === 'own+orphaned' ? 1 : 0 }) as LeasedRunRow | undefined;
  }

  countClaimable(me: string, policy: ClaimPolicy): number {
    return this.#s.countClaimable.get({ me, orphans: policy === 'own+orphaned' ? 1 : 0 }) as number;
  }

  /** running -> a final status (or interrupted), only while `me` owns the run; false otherwise. */
  finishOwned(id: number, me: string, status: RunStatus, error: string | null): boolean {
    return this.#s.finishOwned.run(status, error, nowIso(), id, me).changes > 0;
  }

  owns(id: number, me: string): boolean {
    return this.#s.owns.get(id, me) !== undefined;
  }

  /**
   * Runs `write` (metric rows, a snapshot, the run's metric definitions) only while `me` still owns the run,
   * checked in the same transaction, so that a process that lost its lease never writes into a run another
   * process restarted. False when nothing was written.
   */
  whileOwned(runId: number, me: string, write: () => void): boolean {
    // IMMEDIATE: a deferred transaction that reads first and then writes fails at once (SQLITE_BUSY, no busy
    // wait) when another connection committed in between.
    return this.#db.transaction(() => {
      if (this.#s.owns.get(runId, me) === undefined) return false;
      write();
      return true;
    }).immediate();
  }

  insertMetricsOwned(runId: number, me: string, batch: MetricRows): boolean {
    return this.whileOwned(runId, me, () => this.#lab.insertMetrics(runId, batch));
  }

  /** Inserts runs queued by `me` in one transaction; returns their ids. */
  insertRunsQueuedBy(runs: readonly NewRun[], me: string): number[] {
    return this.#db.transaction(() => {
      const ids = this.#lab.insertRuns(runs);
      for (const id of ids) this.#s.setQueuedBy.run(me, id);
      return ids;
    }).immediate();
  }

  /** Queues runs again from the start (metrics deleted) in `me`'s queue, in one transaction. */
  requeueAs(ids: readonly number[], me: string): void {
    this.#db.transaction(() => {
      this.#lab.requeueRuns(ids);
      for (const id of ids) this.#s.setQueuedBy.run(me, id);
    }).immediate();
  }

  /**
   * `wgflab resume`: moves every queued run (of one setup, or all) into `me`'s queue and requeues the
   * interrupted ones there, in one transaction. Returns both lists.
   */
  adoptForResume(me: string, setupId: number | null): { queued: number[]; interrupted: number[] } {
    return this.#db.transaction(() => {
      const queued = this.#s.adoptQueued.all({ me, setup: setupId }) as number[];
      const interrupted = this.#s.idsWithStatus.all({ status: 'interrupted', setup: setupId }) as number[];
      this.requeueAs(interrupted, me);
      return { queued, interrupted };
    }).immediate();
  }

  /**
   * Runs left 'running' by rows written before 0006 (no owner_process, only "host:pid" in `owner`): those whose
   * process `isGone` says is gone become 'interrupted'. Returns their ids.
   */
  interruptLegacy(isGone: (owner: string | null) => boolean): number[] {
    return this.#db.transaction(() => {
      const now = nowIso();
      const ids: number[] = [];
      for (const { id, owner } of this.#s.legacyRunning.all() as { id: number; owner: string | null }[]) {
        if (!isGone(owner)) continue;
        this.#s.interruptOne.run(now, id);
        ids.push(id);
      }
      return ids;
    }).immediate();
  }

  idsWithStatus(status: RunStatus, setupId: number | null = null): number[] {
    return this.#s.idsWithStatus.all({ status, setup: setupId }) as number[];
  }

  /**
   * Reaps every other process that is dead: its heartbeat is older than its lease, or `gone(row)` (a pid check
   * on the same host and namespace) says so and it missed a heartbeat. Its running runs become 'interrupted'
   * and its row is deleted (so its queued runs become orphaned), together with any run left 'running' under a
   * process id that has no row. One IMMEDIATE transaction.
   */
  reap(me: string, nowMs: number, gone: (row: ProcessRow) => boolean): Reaped {
    const isDead = (row: ProcessRow): boolean => {
      if (row.id === me) return false;
      const age = nowMs - row.heartbeat_at;
      return age > row.lease_ms || (age > 2 * row.heartbeat_ms && gone(row));
    };
    // Read first: the write lock is taken only when there is something to reap.
    const suspects = (this.#s.list.all() as ProcessRow[]).filter(isDead);
    if (!suspects.length && this.#s.anyUnknown.get() === undefined) return { processes: [], runIds: [] };
    return this.#db.transaction(() => {
      const now = nowIso();
      const dead: ProcessRow[] = [];
      const runIds: number[] = [];
      // Again under the write lock: a heartbeat may have arrived meanwhile.
      for (const row of this.#s.list.all() as ProcessRow[]) {
        if (!isDead(row)) continue;
        dead.push(row);
        runIds.push(...(this.#s.interruptOf.all(now, row.id) as number[]));
        this.#s.unregister.run(row.id);
      }
      runIds.push(...(this.#s.interruptUnknown.all(now) as number[]));
      return { processes: dead, runIds };
    }).immediate();
  }
}
