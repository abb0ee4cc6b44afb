// Edges of the built CLI and server as child processes: serve on a busy port leaves the database byte for byte
// as it was; every unusable --db path gets exit 2 and a message naming it; a closed stderr and a SIGTERM to
// the npm wrapper end the command cleanly (runs interrupted, not left running).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openLabDatabase } from '../../db/lab-db';
import { LeaseStore, type ProcessRow } from '../../db/leases';
import { newRunsOf } from '../../main/run-records';
import { parseSetup } from '../../src/setup/schema';
import { CLI, gaussianSetup, removeTempDirs, ROOT, tempDir } from './helpers';

afterAll(removeTempDirs);

const SERVE = path.join(ROOT, 'dist', 'node', 'serve.mjs');
const LEASE_ENV = { ...process.env, WGFLAB_HEARTBEAT_MS: '200', WGFLAB_LEASE_MS: '1000' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
/** Every file of a folder (the database and any -wal / -shm beside it) with its hash. */
const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, sha(path.join(dir, f))]));

function runsOf(setup: Record<string, unknown>) {
  const parsed = parseSetup(setup);
  if (!parsed.ok) throw new Error('setup should be valid');
  return newRunsOf(null, parsed.value.runs, 'test');
}

/** A database that any start of a service would change: queued orphans and a run of a long-dead process. */
function busyDatabase(file: string): void {
  const db = openLabDatabase(file);
  const store = new LeaseStore(db);
  const dead: ProcessRow = { id: 'dead', kind: 'cli', host: 'elsewhere', pid_ns: '', pid: 1, started_at: '', heartbeat_at: 0, heartbeat_ms: 100, lease_ms: 500 };
  store.register(dead);
  store.insertRunsQueuedBy(runsOf(gaussianSetup({ seeds: [0, 1, 2] })), 'dead');
  store.claimNext('dead', 'cli 1@elsewhere', 'own');
  db.close();
}

function node(script: string, args: string[]) {
  return spawnSync(process.execPath, [script, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: LEASE_ENV });
}

describe('start-up order and database paths', () => {
  it('serve on a busy port exits 2 and leaves the database byte for byte unchanged', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'lab.sqlite');
    busyDatabase(file);
    const before = snapshot(dir);
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = spawnSync(process.execPath, [SERVE, '--db', file, '--port', String(port)], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(`port ${port} on 127.0.0.1 is in use`);
      expect(r.stderr).toMatch(/the database was not opened/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    } finally {
      blocker.close();
    }
    expect(snapshot(dir)).toEqual(before);
    // The same file on a free port: the service starts and changes it (so the check above can fail).
    const child = spawn(process.execPath, [SERVE, '--db', file, '--port', '0', '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise((r) => child.stdout.once('data', r));
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    expect(snapshot(dir)).not.toEqual(before);
  });

  const cases: [string, string, (dir: string) => string, RegExp][] = [
    ['resume', 'a missing file', (d) => path.join(d, 'typo.sqlite'), /database \S*typo\.sqlite does not exist; check the path/],
    ['export', 'a missing file', (d) => path.join(d, 'typo.sqlite'), /database \S*typo\.sqlite does not exist/],
    ['serve', 'a missing file', (d) => path.join(d, 'typo.sqlite'), /database \S*typo\.sqlite does not exist/],
    ['run', 'a directory', (d) => d, /database \S+ is a directory, not a file; give the path of a \.sqlite file, e\.g\. \S+wgflab\.sqlite/],
    ['resume', 'a directory', (d) => d, /is a directory, not a file/],
    ['run', 'a missing folder', (d) => path.join(d, 'no', 'such', 'lab.sqlite'), /database \S+lab\.sqlite cannot be created: the folder \S+such does not exist; create the folder first/],
    ['export', 'a missing folder', (d) => path.join(d, 'nope', 'lab.sqlite'), /the folder \S+nope does not exist/],
    ['resume', 'not a database', (d) => { const f = path.join(d, 'notes.txt'); writeFileSync(f, 'hello, this is not SQLite\n'.repeat(100)); return f; }, /\S+notes\.txt is not a WGF Lab database .*the file was not changed/],
    ['serve', 'not a database', (d) => { const f = path.join(d, 'notes.txt'); writeFileSync(f, 'hello, this is not SQLite\n'.repeat(100)); return f; }, /\S+notes\.txt is not a WGF Lab database/],
    ['export', 'a newer schema', (d) => { const f = path.join(d, 'new.sqlite'); const db = new Database(f); db.pragma('user_version = 99'); db.close(); return f; }, /\S+new\.sqlite has schema version 99, but this version of WGF Lab knows schema versions up to \d+; open it with a newer WGF Lab/],
  ];

  it.each(cases)('%s with %s as --db: exit 2, a message naming the path, nothing created or changed', (command, _, make, expected) => {
    const dir = tempDir();
    const setup = path.join(dir, 'setup.json');
    writeFileSync(setup, JSON.stringify(gaussianSetup({ iterations: 5 })));
    const db = make(dir);
    const fileHash = existsSync(db) && !isDir(db) ? sha(db) : null;
    const listing = readdirSync(dir).sort();
    const args = command === 'run' ? ['run', setup, '--db', db] : command === 'export' ? ['export', '--db', db, '--format', 'json'] : command === 'serve' ? ['--db', db, '--port', '0'] : ['resume', '--db', db];
    const r = node(command === 'serve' ? SERVE : CLI, args);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    // Nothing created beside it (no database, no -wal or -shm file, no folder), and an existing file unchanged.
    expect(readdirSync(dir).sort()).toEqual(listing);
    if (fileHash) expect(sha(db)).toBe(fileHash);
  });

  it.skipIf(process.getuid?.() === 0)('a read-only database: exit 2 and a message naming the path', () => {
    const dir = tempDir();
    const file = path.join(dir, 'ro.sqlite');
    openLabDatabase(file).close();
    chmodSync(file, 0o444);
    chmodSync(dir, 0o555);
    try {
      const r = node(CLI, ['resume', '--db', file]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/database \S+ro\.sqlite is read-only/);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

describe('ending cleanly', () => {
  it('a closed stderr ends `wgflab run` with exit 141 and its running runs interrupted, not running', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'lab.sqlite');
    const setup = path.join(dir, 'long.json');
    writeFileSync(setup, JSON.stringify(gaussianSetup({ d: 20, scheme: 'jko', iterations: 200_000, seeds: [0, 1] })));
    const child = spawn(process.execPath, [CLI, 'run', setup, '--db', db, '--workers', '1'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: LEASE_ENV });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // Like `2>&1 | head -1`: read the first line, then close the pipe.
    await new Promise((r) => child.stderr.once('data', r));
    child.stderr.destroy();
    expect(await exited).toBe(141);
    const after = openLabDatabase(db, { mustExist: true });
    try {
      expect(after.listRuns().map((r) => r.status)).toEqual(['interrupted', 'queued']);
      expect(new LeaseStore(after).list()).toEqual([]);
    } finally {
      after.close();
    }
  });

  it.runIf(process.platform !== 'win32')('SIGTERM to the npm wrapper (npm -> sh -> node) stops the node process too; its runs become interrupted', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'lab.sqlite');
    const setup = path.join(dir, 'long.json');
    writeFileSync(setup, JSON.stringify(gaussianSetup({ d: 20, scheme: 'jko', iterations: 200_000, seeds: [0, 1] })));
    // The shape of the project's "wgflab" script (a build step, then node), without rebuilding dist/ under the other tests.
    const pkg = path.join(dir, 'pkg');
    mkdirSync(pkg);
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'wrapper', private: true, scripts: { wgflab: `node -e 0 && node ${JSON.stringify(CLI)}` } }));
    const npm = spawn('npm', ['run', '--silent', 'wgflab', '--', 'run', setup, '--db', db, '--workers', '1'], { cwd: pkg, stdio: 'ignore', env: LEASE_ENV });
    const npmExited = new Promise((r) => npm.once('exit', r));
    let pid = 0;
    for (const deadline = Date.now() + 30_000; !pid; await sleep(50)) {
      if (Date.now() > deadline) throw new Error('the CLI did not start a run in time');
      if (!existsSync(db)) continue;
      try {
        const r = openLabDatabase(db, { mustExist: true });
        pid = new LeaseStore(r).list()[0]?.pid ?? 0;
        if (pid && !r.listRuns().some((run) => run.status === 'running')) pid = 0;
        r.close();
      } catch {
        // being created
      }
    }
    expect(pid).not.toBe(npm.pid);
    npm.kill('SIGTERM');
    await npmExited;
    const gone = () => {
      try {
        process.kill(pid, 0);
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
      } catch {
        return true;
      }
    };
    for (const deadline = Date.now() + 10_000; !gone(); await sleep(50)) {
      if (Date.now() > deadline) throw new Error(`node process ${pid} still runs 10 s after SIGTERM to npm`);
    }
    const after = openLabDatabase(db, { mustExist: true });
    try {
      expect(after.listRuns().map((r) => r.status)).toEqual(['interrupted', 'queued']);
      expect(new LeaseStore(after).list()).toEqual([]);
    } finally {
      after.close();
    }
  });
});
