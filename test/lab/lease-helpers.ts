// Shared by the lease tests (leases.test.ts, shared-db.test.ts): short leases for this process and its children,
// polling, run rows from a setup, and the check that a run's series are complete.
import { expect } from 'vitest';
import type { LeasedRunRow } from '../../db/leases';
import type { LabDatabase } from '../../db/lab-db';
import { newRunsOf } from '../../main/run-records';
import { parseSetup } from '../../src/setup/schema';

/** Heartbeat 200 ms, lease 1 s: in the test process and in the child processes. */
export const LEASE = { heartbeatMs: 200, leaseMs: 1000 };
export const LEASE_ENV = { ...process.env, WGFLAB_HEARTBEAT_MS: '200', WGFLAB_LEASE_MS: '1000', WGFLAB_WATCH_MS: '100' };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a truthy value (or times out naming `what`). */
export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export function runsOf(setup: Record<string, unknown>) {
  const parsed = parseSetup(setup);
  if (!parsed.ok) throw new Error('setup should be valid');
  return newRunsOf(null, parsed.value.runs, 'test');
}

export const leased = (db: LabDatabase, id: number) => db.getRun(id) as LeasedRunRow;

/** The run is done and every metric of it is 0..iterations exactly once. */
export function expectComplete(db: LabDatabase, id: number): void {
  const r = leased(db, id);
  expect(r.status, `run ${id}`).toBe('done');
  const names = JSON.parse(r.metric_names_json!) as string[];
  expect(names.length).toBeGreaterThan(0);
  for (const n of names) {
    const s = db.readSeries(id, n);
    expect(s.iterations).toEqual(Array.from({ length: r.iterations + 1 }, (_, i) => i));
  }
}
