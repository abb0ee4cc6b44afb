// Two services on one SQLite file, in two processes (this one and a browser-mode server): each sees the
// other's changes within a second, they race for orphaned runs without running any twice, and when one is
// killed with -9 the other interrupts its runs after the lease and resumes them. Also: `wgflab run X` beside
// the leftovers of another setup, and `wgflab resume --setup`.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LeaseStore, type LeasedRunRow } from '../../db/leases';
import { openLabDatabase, type LabDatabase } from '../../db/lab-db';
import { newRunsOf } from '../../main/run-records';
import type { LabEvent } from '../../src/api';
import { parseSetup } from '../../src/setup/schema';
import { api, startServer, type LabServer } from '../e2e/harness';
import { CLI, gaussianSetup, makeService, removeTempDirs, ROOT, tempDir } from './helpers';

afterAll(removeTempDirs);

const LEASE = { heartbeatMs: 200, leaseMs: 1000 };
const LEASE_ENV = { ...process.env, WGFLAB_HEARTBEAT_MS: '200', WGFLAB_LEASE_MS: '1000', WGFLAB_WATCH_MS: '100' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function runsOf(setup: Record<string, unknown>) {
  const parsed = parseSetup(setup);
  if (!parsed.ok) throw new Error('setup should be valid');
  return newRunsOf(null, parsed.value.runs, 'test');
}

const leased = (db: LabDatabase, id: number) => db.getRun(id) as LeasedRunRow;

function expectComplete(db: LabDatabase, id: number): void {
  const r = leased(db, id);
  expect(r.status, `run ${id}`).toBe('done');
  for (const n of JSON.parse(r.metric_names_json!) as string[]) {
    const s = db.readSeries(id, n);
    expect(s.iterations).toEqual(Array.from({ length: r.iterations + 1 }, (_, i) => i));
  }
}

/** The server's event stream, each event with the time it arrived. */
async function follow(server: LabServer): Promise<{ events: { at: number; e: LabEvent }[]; close: () => void }> {
  const ctrl = new AbortController();
  const res = await fetch(`${server.origin}/api/events?token=${server.token}`, { signal: ctrl.signal });
  const events: { at: number; e: LabEvent }[] = [];
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const chunk = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (chunk.startsWith('data: ')) events.push({ at: Date.now(), e: JSON.parse(chunk.slice(6)) as LabEvent });
        }
      }
    } catch {
      // aborted, or the server was killed
    }
  })();
  return { events, close: () => ctrl.abort() };
}

describe('two services on one database', () => {
  it('see each other within a second, never run a run twice, and resume the runs of the one killed with -9', async () => {
    const dir = tempDir();
    const dbPath = path.join(dir, 'lab.sqlite');
    const a = makeService(dbPath, { workers: 2, lease: LEASE, watchMs: 100 });
    await a.start();
    const b = await startServer({ dir, workers: 1, env: LEASE_ENV });
    const bEvents = await follow(b);
    const db = openLabDatabase(dbPath);
    const aEvents: { at: number; e: LabEvent }[] = [];
    a.onEvent((e) => aEvents.push({ at: Date.now(), e }));
    const seenBy = (events: { at: number; e: LabEvent }[], id: number, status?: string) =>
      events.find(({ e }) => e.type === 'run' && e.run.id === id && (!status || e.run.status === status))?.at;
    try {
      // 1. A third connection queues 10 orphaned runs: both services race for them.
      const third = new LeaseStore(db);
      const orphans = third.insertRunsQueuedBy(runsOf(gaussianSetup({ iterations: 300, seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] })), 'no-such-process');
      await until('the orphans done', () => orphans.every((id) => leased(db, id).status === 'done')).catch((e: Error) => {
        throw new Error(`${e.message}: ${orphans.map((id) => `${id} ${leased(db, id).status} ${leased(db, id).owner} ${leased(db, id).error}`).join('; ')}`);
      });
      for (const id of orphans) {
        expectComplete(db, id);
        expect(leased(db, id).attempts).toBe(1);
      }
      const owners = new Set(orphans.map((id) => leased(db, id).owner!.split(' ')[0]));
      process.stderr.write(`[shared-db] orphans run by: ${[...owners].join(', ')}\n`);

      // 2. B queues long runs; A sees them and their progress, and does not take them.
      const setupB = await api<{ id: number }>(b, 'saveSetup', { setup: gaussianSetup({ name: 'B', d: 40, scheme: 'jko', iterations: 4000, seeds: [0, 1, 2] }) });
      const tB = Date.now();
      const { runIds: bRuns } = await api<{ runIds: number[] }>(b, 'queueSetup', { setupId: setupB.id });
      const aSawB = await until('A to see B\'s runs', () => seenBy(aEvents, bRuns[2]));
      await until('A to see B\'s progress', () => aEvents.some(({ e }) => e.type === 'metrics' && e.runId === bRuns[0]));
      // 3. A queues short runs of its own; B's clients see them.
      const setupA = await a.saveSetup({ setup: gaussianSetup({ name: 'A', iterations: 200, seeds: [0, 1] }) });
      const tA = Date.now();
      const { runIds: aRuns } = await a.queueSetup({ setupId: setupA.id });
      const bSawA = await until('B to see A\'s runs', () => seenBy(bEvents.events, aRuns[1], 'done') ?? false);
      const bSawAQueued = seenBy(bEvents.events, aRuns[1])!;
      process.stderr.write(`[shared-db] A saw B's new runs after ${aSawB - tB} ms; B's client saw A's new runs after ${bSawAQueued - tA} ms\n`);
      expect(aSawB - tB).toBeLessThan(1000);
      expect(bSawAQueued - tA).toBeLessThan(1000);
      expect(bSawA).toBeGreaterThan(0);
      const running = bRuns.filter((id) => leased(db, id).status === 'running');
      expect(running).toEqual([bRuns[0]]);
      expect(leased(db, bRuns[0]).owner).toMatch(/^serve /);
      expect(leased(db, bRuns[1]).status).toBe('queued');

      // 4. kill -9 B while it runs; A interrupts its run after the lease and takes its orphaned queue.
      const killedAt = Date.now();
      process.kill(b.pid, 'SIGKILL');
      expect(await b.exited).toBeNull();
      await until('A to reap B', () => aEvents.find(({ e }) => e.type === 'stale'), 10_000);
      const detected = Date.now() - killedAt;
      process.stderr.write(`[shared-db] A found B dead ${detected} ms after kill -9 (reaped child: pid check after missed heartbeats, lease 1000 ms)\n`);
      expect(detected).toBeLessThan(1000 + 1000);
      expect(leased(db, bRuns[0]).status).toBe('interrupted');
      expect((await a.resumeInterrupted({})).runIds).toEqual([bRuns[0]]);
      await a.whenIdle();
      for (const id of [...bRuns, ...aRuns]) expectComplete(db, id);
      expect(bRuns.map((id) => leased(db, id).attempts)).toEqual([2, 1, 1]);
      expect(aRuns.map((id) => leased(db, id).attempts)).toEqual([1, 1]);
      expect(db.integrityCheck()).toEqual(['ok']);
    } finally {
      bEvents.close();
      await b.stop();
      await a.close();
      db.close();
    }
  });

  it('wgflab run X finishes X\'s runs only, beside the leftovers of another setup; resume --setup takes one setup', () => {
    const dir = tempDir();
    const dbPath = path.join(dir, 'lab.sqlite');
    const db = openLabDatabase(dbPath);
    // Leftovers of an aborted sweep: queued by a process that is gone.
    const leftSetup = db.insertSetup('left', JSON.stringify(gaussianSetup({ name: 'left' })));
    const otherSetup = db.insertSetup('other', JSON.stringify(gaussianSetup({ name: 'other' })));
    const store = new LeaseStore(db);
    const left = store.insertRunsQueuedBy(runsOf(gaussianSetup({ iterations: 50, seeds: [0, 1, 2, 3, 4, 5] })).map((r) => ({ ...r, setupId: leftSetup })), 'gone');
    const other = store.insertRunsQueuedBy(runsOf(gaussianSetup({ iterations: 50, seeds: [0, 1] })).map((r) => ({ ...r, setupId: otherSetup })), 'gone');
    db.close();
    const file = path.join(dir, 'x.json');
    writeFileSync(file, JSON.stringify(gaussianSetup({ name: 'X', iterations: 100, seeds: [0, 1] })));
    const r = spawnSync(process.execPath, [CLI, 'run', file, '--db', dbPath, '--workers', '2'], { cwd: ROOT, encoding: 'utf8', env: LEASE_ENV, timeout: 60_000 });
    expect(r.stderr).toMatch(/all 2 run\(s\) done/);
    expect(r.status).toBe(0);
    const after = openLabDatabase(dbPath);
    try {
      const runs = after.listRuns();
      const x = runs.filter((run) => !left.includes(run.id) && !other.includes(run.id));
      expect(x.map((run) => run.status)).toEqual(['done', 'done']);
      expect(runs.filter((run) => left.includes(run.id) || other.includes(run.id)).map((run) => run.status)).toEqual(new Array(8).fill('queued'));
    } finally {
      after.close();
    }
    const resumed = spawnSync(process.execPath, [CLI, 'resume', '--db', dbPath, '--setup', String(otherSetup)], { cwd: ROOT, encoding: 'utf8', env: LEASE_ENV, timeout: 60_000 });
    expect(resumed.stderr).toMatch(/resuming 2 run\(s\): 2 queued, 0 interrupted/);
    expect(resumed.status).toBe(0);
    const final = openLabDatabase(dbPath);
    try {
      const status = (ids: number[]) => ids.map((id) => final.getRun(id)!.status);
      expect(status(other)).toEqual(['done', 'done']);
      expect(status(left)).toEqual(new Array(6).fill('queued'));
      for (const id of other) expectComplete(final, id);
    } finally {
      final.close();
    }
    const missing = spawnSync(process.execPath, [CLI, 'resume', '--db', dbPath, '--setup', '99'], { cwd: ROOT, encoding: 'utf8', env: LEASE_ENV });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(`setup 99 does not exist in ${dbPath}`);
  });
});

