// The built CLI (dist/node/wgflab.mjs) as a child process: invalid setups, exit codes, export, kill -9 + resume.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openLabDatabase } from '../../db/lab-db';
import { CLI, divergingSetup, gaussianSetup, removeTempDirs, ROOT, tempDir } from './helpers';

afterAll(removeTempDirs);

/** Short leases in the child processes: heartbeat 200 ms, dead after 1 s of silence. */
export const LEASE_ENV = { ...process.env, WGFLAB_HEARTBEAT_MS: '200', WGFLAB_LEASE_MS: '1000', WGFLAB_WATCH_MS: '100' };

function cli(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: LEASE_ENV });
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l.trim() !== '');

function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}

type Setup = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const small = (): Setup => ({
  name: 'cli setup',
  problem: { kind: 'gaussian-kl', target: { mean: [0, 0], cov: [[1, 0], [0, 2]] }, init: { mean: [1, 1], cov: [[3, 0.5], [0.5, 2]] } },
  scheme: { kind: 'fb', step: 0.1 },
  iterations: 10,
});

describe('wgflab CLI', () => {
  const invalid: [string, (s: Setup) => void, RegExp][] = [
    ['missing field', (s) => delete s.iterations, /^iterations: is required/],
    ['unknown field', (s) => (s.colour = 'red'), /^colour: unknown field; allowed fields here: name, .*iterations/],
    ['unknown kind', (s) => (s.problem.kind = 'gaussian-xx'), /^problem\.kind: unknown kind "gaussian-xx"; allowed: "gaussian-kl"/],
    ['wrong type', (s) => (s.iterations = '100'), /^iterations: must be a number, got "100"/],
    ['negative step', (s) => (s.scheme.step = -0.1), /^scheme\.step: must be > 0, got -0\.1/],
    ['non-positive iterations', (s) => (s.iterations = 0), /^iterations: must be > 0, got 0/],
    ['covariance not SPD', (s) => (s.problem.target.cov = [[1, 2], [2, 1]]), /^problem\.target\.cov: must be symmetric positive definite/],
    ['dimensions disagree', (s) => (s.problem.init.mean = [1, 1, 1]), /^problem\.init\.mean: has length 3, but the dimension is d = 2/],
    ['sweep path missing', (s) => (s.sweep = { 'scheme.nope': [1, 2] }), /^sweep\["scheme\.nope"\]: field path does not exist in the setup; sweepable paths: .*scheme\.step/],
  ];

  it.each(invalid)('rejects a setup with a %s: exit 2, one line naming the field, nothing written', (_, edit, expected) => {
    const dir = tempDir();
    const setup = small();
    edit(setup);
    const db = path.join(dir, 'lab.sqlite');
    const r = cli(['run', writeJson(dir, 'setup.json', setup), '--db', db]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(db)).toBe(false);
  });

  it('rejects a file that is not JSON, and reports every problem of a setup, one per line', () => {
    const dir = tempDir();
    const db = path.join(dir, 'lab.sqlite');
    const r = cli(['run', writeJson(dir, 'broken.json', '{"name": '), '--db', db]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/broken\.json: not valid JSON/);
    const many = small();
    many.scheme.step = -1;
    many.iterations = 0;
    many.problem.init.mean = [1];
    const r2 = cli(['run', writeJson(dir, 'many.json', many), '--db', db]);
    expect(r2.status).toBe(2);
    expect(lines(r2.stderr).map((l) => l.split(':')[0]).sort()).toEqual(['iterations', 'problem.init.mean', 'scheme.step']);
    expect(existsSync(db)).toBe(false);
  });

  it('reads problem.data.file (CSV, relative to the setup) into the setup; its errors name the line', () => {
    const dir = tempDir();
    const db = path.join(dir, 'lab.sqlite');
    writeFileSync(path.join(dir, 'rows.csv'), 'x1,x2,y\n1,2,3\n4,5\n');
    const setup = { name: 'csv', problem: { kind: 'two-layer-net', data: { kind: 'csv', file: 'rows.csv' }, model: { kind: 'mean-field', m: 2 } }, scheme: { kind: 'gd', step: 0.1 }, iterations: 2 };
    const r = cli(['run', writeJson(dir, 'net.json', setup), '--db', db]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual(['problem.data.text: line 3: has 2 columns, but the first row has 3 (x1..xp, y)']);
    setup.problem.data.file = 'missing.csv';
    const r2 = cli(['run', writeJson(dir, 'net2.json', setup), '--db', db]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/^problem\.data\.file: cannot read .*missing\.csv: ENOENT/);
    expect(existsSync(db)).toBe(false);
    writeFileSync(path.join(dir, 'rows.csv'), 'x1,x2,y\n1,2,3\n4,5,6\n');
    setup.problem.data.file = 'rows.csv';
    const r3 = cli(['run', writeJson(dir, 'net3.json', setup), '--db', db]);
    expect(r3.stderr).toMatch(/run 1 \(gd, seed 0\): done/);
    expect(r3.status).toBe(0);
  });

  it('answers usage errors with exit 2 and a usage line', () => {
    for (const args of [[], ['frobnicate'], ['run'], ['run', '--preset', 'no-such-preset'], ['export', '--db', 'x.sqlite', '--format', 'xml'], ['resume', '--db', 'x.sqlite', '--workers', '0'], ['run', 'a.json', '--db', 'x', '--bogus', '1']]) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/usage: wgflab run <setup\.json> --db <file\.sqlite>/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('runs a setup, exits 1 with a summary when a run diverges, and exports json and csv', () => {
    const dir = tempDir();
    const db = path.join(dir, 'lab.sqlite');
    const setup: Setup = { ...divergingSetup(), iterations: 60, seeds: [3], sweep: { 'scheme.step': [0.005, 10] } };
    const r = cli(['run', writeJson(dir, 'setup.json', setup), '--db', db, '--workers', '2']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/run 1 \(forward, scheme\.step=0\.005, seed 3\): done/);
    const summary = r.stderr.slice(r.stderr.indexOf('not done:'));
    expect(lines(summary)).toHaveLength(2);
    expect(summary).toMatch(/run 2 \(forward, scheme\.step=10, seed 3\): diverged: metric "\w+" (became (NaN|-?Infinity)|reached \S+) at iteration \d+/);

    const json = cli(['export', '--db', db, '--format', 'json']);
    expect(json.status).toBe(0);
    const out = JSON.parse(json.stdout) as { runs: Setup[] };
    expect(out.runs).toHaveLength(2);
    const [a, b] = out.runs;
    expect(a).toMatchObject({ id: 1, name: 'diverging', setup: 'diverging', setup_id: 1, status: 'done', seed: 3 });
    expect(a.spec).toEqual({ name: 'diverging', problem: setup.problem, scheme: { kind: 'forward', step: 0.005 }, iterations: 60, metrics_every: 1, divergence_factor: 1e12, seed: 3 });
    expect(b).toMatchObject({ status: 'diverged', spec: { scheme: { kind: 'forward', step: 10 } } });
    expect(Object.keys(a.metrics)).toEqual(expect.arrayContaining(['objective', 'kl', 'w2sq']));
    expect(a.metrics.kl.map((p: number[]) => p[0])).toEqual(Array.from({ length: 61 }, (_, i) => i));
    for (const series of Object.values(b.metrics) as number[][][]) expect(series.every(([, v]) => Number.isFinite(v))).toBe(true);

    const csv = cli(['export', '--db', db, '--format', 'csv']);
    expect(csv.status).toBe(0);
    const rows = lines(csv.stdout);
    expect(rows[0]).toBe('run_id,iteration,metric,value,wall_ms');
    const expectedRows = out.runs.reduce((n, run) => n + (Object.values(run.metrics) as unknown[][]).reduce((m, s) => m + s.length, 0), 0);
    expect(rows).toHaveLength(1 + expectedRows);
    // Full precision: every CSV value is the JSON value, bit for bit.
    const fromJson = new Map<string, number>();
    for (const run of out.runs) for (const [metric, series] of Object.entries(run.metrics) as [string, number[][]][]) for (const [it, v] of series) fromJson.set(`${run.id},${it},${metric}`, v);
    for (const row of rows.slice(1)) {
      const [runId, it, metric, value, wall] = row.split(',');
      expect(Number(value)).toBe(fromJson.get(`${runId},${it},${metric}`));
      expect(Number.isFinite(Number(wall))).toBe(true);
    }
  });

  it('survives kill -9 mid-run: the database opens intact, and resume completes every series without gaps', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'lab.sqlite');
    const setup = gaussianSetup({ name: 'long', d: 20, scheme: 'jko', iterations: 15_000, seeds: [0, 1, 2] });
    const child = spawn(process.execPath, [CLI, 'run', writeJson(dir, 'long.json', setup), '--db', db, '--workers', '2'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: LEASE_ENV });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait until some metric rows are committed, then kill the process without warning.
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`no metrics stored in time; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
      if (!existsSync(db)) continue;
      try {
        const reader = new Database(db, { readonly: true, fileMustExist: true });
        const n = (reader.prepare('SELECT count(*) AS n FROM metrics').get() as { n: number }).n;
        reader.close();
        if (n > 1000) break;
      } catch {
        // schema not created yet
      }
    }
    child.kill('SIGKILL');
    expect(await exited).toBeNull();

    const after = openLabDatabase(db);
    try {
      expect(after.integrityCheck()).toEqual(['ok']);
      const runs = after.listRuns();
      expect(runs).toHaveLength(3);
      expect(runs.filter((r) => r.status === 'running').length).toBeGreaterThanOrEqual(1);
      for (const r of runs) {
        // What survived is a gap-free prefix 0..last_iteration, consistent with the run row.
        for (const name of r.metric_names_json ? (JSON.parse(r.metric_names_json) as string[]) : []) {
          const s = after.readSeries(r.id, name);
          expect(s.iterations).toEqual(Array.from({ length: r.last_iteration + 1 }, (_, i) => i));
        }
      }
    } finally {
      after.close();
    }

    const resumed = cli(['resume', '--db', db, '--workers', '2']);
    expect(resumed.stderr).toMatch(/resuming 3 run\(s\): \d queued, \d interrupted/);
    expect(resumed.status).toBe(0);
    const final = openLabDatabase(db);
    try {
      expect(final.integrityCheck()).toEqual(['ok']);
      for (const r of final.listRuns()) {
        expect(r.status).toBe('done');
        const names = JSON.parse(r.metric_names_json!) as string[];
        expect(names.length).toBeGreaterThan(0);
        for (const name of names) {
          const s = final.readSeries(r.id, name);
          expect(s.iterations.length).toBe(15_001);
          expect(s.iterations[0]).toBe(0);
          expect(s.iterations[15_000]).toBe(15_000);
          expect(s.iterations.every((it, i) => it === i)).toBe(true);
        }
      }
    } finally {
      final.close();
    }
    const again = cli(['resume', '--db', db]);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/nothing to resume/);
  });

  it('closes the service on SIGTERM: exit 130, running runs become interrupted', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'lab.sqlite');
    const setup = gaussianSetup({ name: 'long', d: 20, scheme: 'fb', iterations: 100_000, seeds: [0, 1] });
    const child = spawn(process.execPath, [CLI, 'run', writeJson(dir, 'long.json', setup), '--db', db, '--workers', '1'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: LEASE_ENV });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/run 1 \(fb, seed 0\): running/.test(stderr)) child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGTERM: stopping/);
    const after = openLabDatabase(db);
    try {
      expect(after.integrityCheck()).toEqual(['ok']);
      expect(after.listRuns().map((r) => r.status)).toEqual(['interrupted', 'queued']);
    } finally {
      after.close();
    }
  });
});
