// Run ownership by lease with real processes and a real SQLite file: a zombie owner (killed with -9 and left
// unreaped), a reused pid, a live owner whose runs must never be taken, and the atomic claim.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LeaseStore, type LeasedRunRow, type ProcessRow } from '../../db/leases';
import { openLabDatabase, type LabDatabase } from '../../db/lab-db';
import { newRunsOf } from '../../main/run-records';
import type { LabService } from '../../main/lab-service';
import type { LabEvent } from '../../src/api';
import { parseSetup } from '../../src/setup/schema';
import { CLI, gaussianSetup, makeService, removeTempDirs, ROOT, tempDir } from './helpers';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  removeTempDirs();
});

/** Heartbeat 200 ms, lease 1 s: in this file and in the child processes. */
const LEASE = { heartbeatMs: 200, leaseMs: 1000 };
const LEASE_ENV = { ...process.env, WGFLAB_HEARTBEAT_MS: '200', WGFLAB_LEASE_MS: '1000', WGFLAB_WATCH_MS: '100' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function runsOf(setup: Record<string, unknown>) {
  const parsed = parseSetup(setup);
  if (!parsed.ok) throw new Error('setup should be valid');
  return newRunsOf(null, parsed.value.runs, 'test');
}

const leased = (db: LabDatabase, id: number) => db.getRun(id) as LeasedRunRow;

/** Every metric of a run is 0..iterations exactly once. */
function expectComplete(db: LabDatabase, id: number): void {
  const r = leased(db, id);
  expect(r.status).toBe('done');
  const names = JSON.parse(r.metric_names_json!) as string[];
  expect(names.length).toBeGreaterThan(0);
  for (const n of names) {
    const s = db.readSeries(id, n);
    expect(s.iterations).toEqual(Array.from({ length: r.iterations + 1 }, (_, i) => i));
  }
}

function stateOf(pid: number): string {
  // /proc/<pid>/stat: "pid (comm) S ..."
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

function record(service: LabService): LabEvent[] {
  const events: LabEvent[] = [];
  service.onEvent((e) => events.push(e));
  return events;
}

describe('run ownership by lease', () => {
  it.runIf(process.platform === 'linux')('interrupts the runs of a zombie owner (kill -9, not reaped) after its lease, and resumes them to complete series', async () => {
    const dir = tempDir();
    const dbPath = path.join(dir, 'zombie.sqlite');
    const setupFile = path.join(dir, 'long.json');
    writeFileSync(setupFile, JSON.stringify(gaussianSetup({ name: 'long', d: 40, scheme: 'jko', iterations: 4000, seeds: [0, 1] })));
    // sh starts the CLI in the background and becomes `sleep`, which never reaps it: after kill -9 the CLI
    // stays a zombie, and kill(pid, 0) keeps succeeding.
    const parent = spawn('/bin/sh', ['-c', '"$0" "$@" & echo $!; exec sleep 120', process.execPath, CLI, 'run', setupFile, '--db', dbPath, '--workers', '1'], { cwd: ROOT, env: LEASE_ENV, stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(parent);
    const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
    expect(pid).toBeGreaterThan(0);
    const db = await until('the database', () => {
      try {
        return openLabDatabase(dbPath, { mustExist: true });
      } catch {
        return undefined;
      }
    });
    await until('stored metrics of the CLI', () => db.countMetricRows() > 0);
    const service = makeService(dbPath, { workers: 2, lease: LEASE, watchMs: 100 });
    await service.start();
    try {
      const events = record(service);
      const cliRuns = db.listRuns().map((r) => r.id);
      const running = db.listRuns().filter((r) => r.status === 'running').map((r) => r.id);
      expect(running).toHaveLength(1);
      // A live owner's runs are not taken: the service watches for longer than a lease.
      await sleep(1200);
      expect(leased(db, running[0])).toMatchObject({ status: 'running', attempts: 1 });
      expect(events.some((e) => e.type === 'run' && e.run.id === running[0] && e.run.lastIteration > 0)).toBe(true);

      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      await until('the zombie', () => stateOf(pid) === 'Z');
      expect(() => process.kill(pid, 0)).not.toThrow();
      await until('the stale event', () => events.find((e) => e.type === 'stale'), 10_000);
      const detectedMs = Date.now() - killedAt;
      expect(stateOf(pid)).toBe('Z');
      // Not before the lease ran out (the pid check cannot help: the zombie's pid exists), within a lease and a few heartbeats.
      expect(detectedMs).toBeGreaterThanOrEqual(1000 - 250);
      expect(detectedMs).toBeLessThan(1000 + 1500);
      process.stderr.write(`[leases] zombie owner detected ${detectedMs} ms after kill -9 (lease 1000 ms, heartbeat 200 ms)\n`);
      expect(leased(db, running[0]).status).toBe('interrupted');
      expect((await service.resumeInterrupted({})).runIds).toEqual(running);
      await service.whenIdle();
      for (const id of cliRuns) expectComplete(db, id);
      // The interrupted run started twice (once per owner), the others once: nothing ran twice at once.
      expect(cliRuns.map((id) => leased(db, id).attempts)).toEqual(cliRuns.map((id) => (id === running[0] ? 2 : 1)));
      expect(db.integrityCheck()).toEqual(['ok']);
    } finally {
      await service.close();
      db.close();
      parent.kill('SIGKILL');
    }
  });

  it('treats a live pid recorded under another registration (reused pid) as dead after the lease; a renewing owner keeps its runs', async () => {
    const dbPath = path.join(tempDir(), 'reused.sqlite');
    const db = openLabDatabase(dbPath);
    const store = new LeaseStore(db);
    let ns = '';
    try {
      ns = readlinkSync('/proc/self/ns/pid');
    } catch {
      // not Linux: no pid namespace, the lease alone decides
    }
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(sleeper);
    const fake = (id: string, pid: number): ProcessRow => ({ id, kind: 'cli', host: os.hostname(), pid_ns: ns, pid, started_at: new Date().toISOString(), heartbeat_at: Date.now(), heartbeat_ms: 200, lease_ms: 1000 });
    // "ours": this very pid under another registration; "sleeper": a live process that never registered; "live": renews its heartbeat.
    for (const [id, pid] of [['ours', process.pid], ['sleeper', sleeper.pid!], ['live', process.pid]] as const) {
      store.register(fake(id, pid));
      store.insertRunsQueuedBy(runsOf(gaussianSetup({ iterations: 300, seeds: [0] })), id);
      const claimed = store.claimNext(id, `cli ${pid}@${os.hostname()}`, 'own')!;
      expect(claimed.status).toBe('running');
      db.insertMetrics(claimed.id, { names: ['kl'], iterations: [0, 1], wallMs: [0, 1], values: [2, 1] });
    }
    const beat = setInterval(() => store.beat('live', Date.now()), 100);
    const service = makeService(dbPath, { workers: 2, lease: LEASE });
    const t0 = Date.now();
    await service.start();
    try {
      expect(db.listRuns().map((r) => r.status)).toEqual(['running', 'running', 'running']);
      const events = record(service);
      const interruptedAt = new Map<number, number>();
      service.onEvent((e) => {
        if (e.type === 'run' && e.run.status === 'interrupted' && !interruptedAt.has(e.run.id)) interruptedAt.set(e.run.id, Date.now() - t0);
      });
      await until('both dead registrations reaped', () => interruptedAt.size === 2, 5000);
      await sleep(1500);
      // The renewing owner's run is untouched after more than a lease.
      expect(db.listRuns().map((r) => r.status)).toEqual(['interrupted', 'interrupted', 'running']);
      expect(store.list().map((p) => p.id).sort()).toEqual(['live', service.ownership.id].sort());
      // Our own pid under a foreign registration: the pid check speeds it up after two missed heartbeats
      // (only on Linux, where the pid namespace is known); the live sleeper's pid: the lease alone.
      const [ours, sl] = [interruptedAt.get(1)!, interruptedAt.get(2)!];
      if (ns) expect(ours).toBeLessThan(1000);
      expect(sl).toBeGreaterThanOrEqual(1000 - 250);
      expect(events.filter((e) => e.type === 'stale').flatMap((e) => (e.type === 'stale' ? e.runIds : []))).toEqual(expect.arrayContaining([1, 2]));
      process.stderr.write(`[leases] reused pid detected after ${ours} ms (pid check + missed heartbeats), live sleeper pid after ${sl} ms (lease 1000 ms)\n`);
      expect((await service.resumeInterrupted({})).runIds).toEqual([1, 2]);
      await service.whenIdle();
      expectComplete(db, 1);
      expectComplete(db, 2);
      expect(leased(db, 3)).toMatchObject({ status: 'running', owner_process: 'live', attempts: 1 });
    } finally {
      clearInterval(beat);
      await service.close();
      db.close();
      sleeper.kill('SIGKILL');
    }
  });

  it('a process that lost its lease claims nothing and stores nothing more', () => {
    const db = openLabDatabase(path.join(tempDir(), 'lost.sqlite'));
    try {
      const store = new LeaseStore(db);
      const row: ProcessRow = { id: 'a', kind: 'test', host: 'h', pid_ns: '', pid: 1, started_at: '', heartbeat_at: 0, heartbeat_ms: 100, lease_ms: 500 };
      store.register(row);
      store.register({ ...row, id: 'b', heartbeat_at: Date.now() });
      const [id1] = store.insertRunsQueuedBy(runsOf(gaussianSetup({ seeds: [0, 1] })), 'a');
      expect(store.claimNext('a', 'a', 'own')?.id).toBe(id1);
      // b reaps a (heartbeat at 0), a's run is interrupted and its queued run orphaned.
      const reaped = store.reap('b', Date.now(), () => false);
      expect(reaped.processes.map((p) => p.id)).toEqual(['a']);
      expect(reaped.runIds).toEqual([id1]);
      expect(store.beat('a', Date.now())).toBe(false);
      expect(store.insertMetricsOwned(id1, 'a', { names: ['kl'], iterations: [0], wallMs: [0], values: [1] })).toBe(false);
      expect(db.countMetricRows()).toBe(0);
      expect(store.finishOwned(id1, 'a', 'done', null)).toBe(false);
      expect(store.claimNext('a', 'a', 'own')).toBeUndefined();
      // The orphan goes to a process that claims orphans, not to one that claims its own only.
      expect(store.claimNext('b', 'b', 'own')).toBeUndefined();
      expect(store.claimNext('b', 'b', 'own+orphaned')).toMatchObject({ id: id1 + 1, owner_process: 'b', attempts: 1 });
    } finally {
      db.close();
    }
  });
});
