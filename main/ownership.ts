// Run ownership by lease: this process registers itself in the database under a random id, renews its
// heartbeat every heartbeatMs, claims queued runs atomically under that id, and reaps other processes whose
// heartbeat is older than their lease (their running runs become 'interrupted'). A pid check on the same host
// and pid namespace only speeds detection up (after a missed heartbeat); it never decides alone, because
// zombies, reused pids and other pid namespaces all make `kill(pid, 0)` lie.
import { randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import type { RunStatus } from '../src/api';
import type { LabDatabase, MetricRows, NewRun } from '../db/lab-db';
import { LeaseStore, type ClaimPolicy, type LeasedRunRow, type ProcessRow, type Reaped } from '../db/leases';

export type { ClaimPolicy, Reaped } from '../db/leases';

/** Production defaults (README): heartbeat every 2 s, a process silent for 10 s is dead. */
export const DEFAULT_HEARTBEAT_MS = 2_000;
export const DEFAULT_LEASE_MS = 10_000;

export interface LeaseOptions {
  /** Heartbeat period (default WGFLAB_HEARTBEAT_MS or 2000). */
  readonly heartbeatMs?: number;
  /** A process whose heartbeat is older than this is dead (default WGFLAB_LEASE_MS or 10000). */
  readonly leaseMs?: number;
}

function envMs(name: string, env: NodeJS.ProcessEnv): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 10) throw new Error(`environment variable ${name} must be a whole number of milliseconds >= 10, got "${v}"`);
  return n;
}

/** The lease timing: explicit options, else WGFLAB_HEARTBEAT_MS / WGFLAB_LEASE_MS, else the defaults. */
export function resolveLease(opts: LeaseOptions = {}, env: NodeJS.ProcessEnv = process.env): { heartbeatMs: number; leaseMs: number } {
  const heartbeatMs = opts.heartbeatMs ?? envMs('WGFLAB_HEARTBEAT_MS', env) ?? DEFAULT_HEARTBEAT_MS;
  const leaseMs = opts.leaseMs ?? envMs('WGFLAB_LEASE_MS', env) ?? Math.max(DEFAULT_LEASE_MS, 3 * heartbeatMs);
  if (leaseMs < 2 * heartbeatMs) throw new Error(`the lease timeout (${leaseMs} ms) must be at least twice the heartbeat period (${heartbeatMs} ms)`);
  return { heartbeatMs, leaseMs };
}

/** This process's pid namespace ("pid:[4026531836]" on Linux; "" where there is none to read). */
function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}
const PID_NS = pidNamespace();

/**
 * The pid hint: true when a registration's pid certainly does not belong to it any more, as far as this
 * process can tell (same host and namespace, and the pid is ours or no process has it).
 */
export function pidLooksGone(row: Pick<ProcessRow, 'host' | 'pid_ns' | 'pid'>): boolean {
  if (row.host !== os.hostname() || row.pid_ns !== PID_NS || !PID_NS) return false;
  if (row.pid === process.pid) return true;
  try {
    process.kill(row.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Rows written before leases (owner "host:pid" only): gone when another host wrote it or the pid is gone. */
export function legacyOwnerIsGone(owner: string | null): boolean {
  if (!owner) return true;
  const at = owner.lastIndexOf(':');
  const host = owner.slice(0, at);
  const pid = Number(owner.slice(at + 1));
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface OwnershipOptions extends LeaseOptions {
  /** Shown next to the runs this process runs: 'app', 'serve', 'cli', 'test'. */
  readonly kind: string;
  readonly policy: ClaimPolicy;
  /** Other processes were found dead; their runs are now 'interrupted'. */
  readonly onReaped: (r: Reaped) => void;
  /** This process's own registration was reaped (it stalled past its lease): its runs are no longer its own. */
  readonly onLost: (silentMs: number) => void;
}

export class Ownership {
  /** This process's id in `processes` and runs.owner_process. */
  readonly id = randomUUID();
  /** runs.owner: "kind pid@host", shown with a run's progress. */
  readonly label: string;
  readonly heartbeatMs: number;
  readonly leaseMs: number;
  readonly #store: LeaseStore;
  readonly #opts: OwnershipOptions;
  #timer?: NodeJS.Timeout;
  #lastBeat = 0;

  constructor(lab: LabDatabase, opts: OwnershipOptions) {
    this.#opts = opts;
    this.#store = new LeaseStore(lab);
    ({ heartbeatMs: this.heartbeatMs, leaseMs: this.leaseMs } = resolveLease(opts));
    this.label = `${opts.kind} ${process.pid}@${os.hostname()}`;
  }

  get store(): LeaseStore {
    return this.#store;
  }

  /** Registers this process, interrupts the runs of dead processes (and of pre-lease rows whose pid is gone). */
  start(): Reaped {
    this.#register();
    const legacy = this.#store.interruptLegacy(legacyOwnerIsGone);
    const reaped = this.#store.reap(this.id, Date.now(), pidLooksGone);
    this.#timer = setInterval(() => this.tick(), this.heartbeatMs);
    this.#timer.unref();
    return { processes: reaped.processes, runIds: [...legacy, ...reaped.runIds] };
  }

  #register(): void {
    const now = Date.now();
    this.#lastBeat = now;
    this.#store.register({
      id: this.id, kind: this.#opts.kind, host: os.hostname(), pid_ns: PID_NS, pid: process.pid,
      started_at: new Date(now).toISOString(), heartbeat_at: now, heartbeat_ms: this.heartbeatMs, lease_ms: this.leaseMs,
    });
  }

  /** One heartbeat: renew the lease (re-register after being reaped), then reap dead processes. */
  tick(now = Date.now()): void {
    try {
      if (!this.#store.beat(this.id, now)) {
        this.#opts.onLost(now - this.#lastBeat);
        this.#register();
      }
      this.#lastBeat = now;
      const reaped = this.#store.reap(this.id, now, pidLooksGone);
      if (reaped.processes.length || reaped.runIds.length) this.#opts.onReaped(reaped);
    } catch {
      // A busy or closing database: the next heartbeat tries again (a lease is several heartbeats long).
    }
  }

  /**
   * Other processes with running runs that missed a heartbeat (silent for more than 1.5 periods): dead or
   * stalled; the lease decides which by the time given in `decidedAt` (unix ms).
   */
  stalledOwners(now = Date.now()): { label: string; running: number; silentMs: number; decidedAt: number }[] {
    return this.#store.runningOwners()
      .filter((p) => p.id !== this.id && (now - p.heartbeat_at > 1.5 * p.heartbeat_ms || pidLooksGone(p)))
      .map((p) => ({
        label: `${p.kind} ${p.pid}@${p.host}`,
        running: p.running,
        silentMs: now - p.heartbeat_at,
        // A pid that is gone decides after two missed heartbeats; otherwise the lease does.
        decidedAt: p.heartbeat_at + (pidLooksGone(p) ? 2 * p.heartbeat_ms : p.lease_ms),
      }));
  }

  claimNext(): LeasedRunRow | undefined {
    return this.#store.claimNext(this.id, this.label, this.#opts.policy);
  }

  countClaimable(): number {
    return this.#store.countClaimable(this.id, this.#opts.policy);
  }

  finish(runId: number, status: RunStatus, error: string | null): boolean {
    return this.#store.finishOwned(runId, this.id, status, error);
  }

  insertMetrics(runId: number, batch: MetricRows): boolean {
    return this.#store.insertMetricsOwned(runId, this.id, batch);
  }

  /** Runs `write` in one transaction only while this process owns the run; false when it does not. */
  whileOwned(runId: number, write: () => void): boolean {
    return this.#store.whileOwned(runId, this.id, write);
  }

  insertRuns(runs: readonly NewRun[]): number[] {
    return this.#store.insertRunsQueuedBy(runs, this.id);
  }

  requeue(ids: readonly number[]): void {
    this.#store.requeueAs(ids, this.id);
  }

  /** Stops the heartbeat and deletes the registration (its queued runs become orphaned). */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    try {
      this.#store.unregister(this.id);
    } catch {
      // The database is already closed or unwritable: the lease runs out by itself.
    }
  }
}
