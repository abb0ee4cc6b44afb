// db/: migrations (fresh, idempotent re-open, refusing a newer schema, atomicity), pragmas, constraints.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openLabDatabase } from '../../db/lab-db';
import { DatabaseTooNewError, migrate, SCHEMA_VERSION, userVersion } from '../../db/migrate';
import { MIGRATIONS } from '../../db/migrations/index';
import { ROOT, removeTempDirs, tempDir } from './helpers';

afterAll(removeTempDirs);

describe('migrations', () => {
  it('embeds exactly the .sql files (regenerate with node db/migrations/generate.mjs)', () => {
    const dir = path.join(ROOT, 'db', 'migrations');
    const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
    expect(MIGRATIONS.map((m) => `${m.name}.sql`)).toEqual(files);
    MIGRATIONS.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
      expect(m.sql).toBe(readFileSync(path.join(dir, `${m.name}.sql`), 'utf8'));
    });
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('creates a fresh database: WAL, foreign keys, STRICT tables, schema version, integrity ok', () => {
    const file = path.join(tempDir(), 'fresh.sqlite');
    const db = openLabDatabase(file);
    try {
      expect(userVersion(db.db)).toBe(SCHEMA_VERSION);
      expect(db.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      const tables = db.db.prepare(`SELECT name, strict, wr FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all();
      expect(tables).toEqual([
        { name: 'lab_meta', strict: 1, wr: 0 },
        { name: 'metrics', strict: 1, wr: 1 },
        { name: 'processes', strict: 1, wr: 0 },
        { name: 'runs', strict: 1, wr: 0 },
        { name: 'setups', strict: 1, wr: 0 },
        { name: 'snapshots', strict: 1, wr: 0 },
      ]);
      expect(db.integrityCheck()).toEqual(['ok']);
    } finally {
      db.close();
    }
  });

  it('re-opens idempotently, keeping the data', () => {
    const file = path.join(tempDir(), 'reopen.sqlite');
    const a = openLabDatabase(file);
    const id = a.insertSetup('kept', '{"name":"kept"}');
    a.close();
    const b = openLabDatabase(file);
    try {
      expect(userVersion(b.db)).toBe(SCHEMA_VERSION);
      expect(migrate(b.db, file)).toEqual([]);
      expect(b.getSetup(id)?.name).toBe('kept');
      expect(b.integrityCheck()).toEqual(['ok']);
    } finally {
      b.close();
    }
  });

  it('refuses a database whose schema is newer than the app, without changing it', () => {
    const file = path.join(tempDir(), 'newer.sqlite');
    openLabDatabase(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const before = statSync(file).mtimeMs;
    expect(() => openLabDatabase(file)).toThrow(DatabaseTooNewError);
    expect(() => openLabDatabase(file)).toThrow(new RegExp(`schema version ${SCHEMA_VERSION + 1}.*knows schema versions up to ${SCHEMA_VERSION}.*newer WGF Lab`));
    expect(statSync(file).mtimeMs).toBe(before);
    const check = new Database(file);
    expect(userVersion(check)).toBe(SCHEMA_VERSION + 1);
    check.close();
  });

  it('upgrades a database written by an older version, keeping its rows', () => {
    const file = path.join(tempDir(), 'old.sqlite');
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    expect(migrate(raw, file, MIGRATIONS.slice(0, 1))).toEqual([1]);
    raw.prepare(`INSERT INTO setups (name, json, created_at, updated_at) VALUES ('old', '{}', 'then', 'then')`).run();
    raw.close();
    const db = openLabDatabase(file);
    try {
      expect(userVersion(db.db)).toBe(SCHEMA_VERSION);
      expect(db.listSetups().map((s) => s.name)).toEqual(['old']);
      expect(db.integrityCheck()).toEqual(['ok']);
    } finally {
      db.close();
    }
  });

  it('applies a migration and its version bump atomically', () => {
    const raw = new Database(path.join(tempDir(), 'atomic.sqlite'));
    const good = { version: 1, name: '0001_a', sql: 'CREATE TABLE a (x INTEGER) STRICT;' };
    const bad = { version: 2, name: '0002_b', sql: 'CREATE TABLE b (y INTEGER) STRICT; INSERT INTO nowhere VALUES (1);' };
    expect(() => migrate(raw, 'atomic', [good, bad])).toThrow(/nowhere/);
    expect(userVersion(raw)).toBe(1);
    expect(raw.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE name = 'b'`).get()).toEqual({ n: 0 });
    raw.close();
  });

  it('enforces statuses, foreign keys and unique metric rows', () => {
    const db = openLabDatabase(path.join(tempDir(), 'constraints.sqlite'));
    try {
      const setupId = db.insertSetup('s', '{}');
      const [runId] = db.insertRuns([{ setupId, name: 's', label: 'l', problemKind: 'gaussian-kl', scheme: 'fb', step: 0.1, seed: 0, sweepJson: '{}', specJson: '{}', iterations: 3, appVersion: 't' }]);
      expect(() => db.db.prepare(`UPDATE runs SET status = 'paused' WHERE id = ?`).run(runId)).toThrow(/CHECK/);
      expect(() => db.insertMetrics(9999, { names: ['kl'], iterations: [0], wallMs: [0], values: [1] })).toThrow(/FOREIGN KEY/);
      db.insertMetrics(runId, { names: ['kl', 'w2sq'], iterations: [0, 1], wallMs: [0.5, 1.5], values: [1, 2, 3, 4] });
      expect(db.readSeries(runId, 'w2sq')).toEqual({ iterations: [0, 1], values: [2, 4], wallMs: [0.5, 1.5] });
      expect(db.getRun(runId)?.last_iteration).toBe(1);
      expect(JSON.parse(db.getRun(runId)!.final_json)).toEqual({ kl: 3, w2sq: 4 });
      // A duplicate row fails the whole batch: nothing of it is stored.
      expect(() => db.insertMetrics(runId, { names: ['kl', 'w2sq'], iterations: [2, 1], wallMs: [0, 0], values: [5, 6, 7, 8] })).toThrow(/UNIQUE|PRIMARY KEY/);
      expect(db.countSeries(runId, 'kl')).toBe(2);
      expect(db.getRun(runId)?.last_iteration).toBe(1);
      // Deleting the setup keeps its runs; requeueing deletes their metrics.
      expect(db.deleteSetup(setupId)).toBe(true);
      expect(db.getRun(runId)?.setup_id).toBeNull();
      db.requeueRuns([runId]);
      expect(db.countSeries(runId, 'kl')).toBe(0);
      expect(db.getRun(runId)).toMatchObject({ status: 'queued', last_iteration: -1, metric_names_json: null });
      // Many rows in one batch go through the multi-row INSERT and its remainder.
      const n = 1000;
      db.insertMetrics(runId, { names: ['a', 'b', 'c'], iterations: Int32Array.from({ length: n }, (_, i) => i), wallMs: new Float64Array(n), values: Float64Array.from({ length: 3 * n }, (_, i) => i / 7) });
      const b = db.readSeries(runId, 'b');
      expect(b.iterations).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(b.values).toEqual(Array.from({ length: n }, (_, i) => (3 * i + 1) / 7));
      expect(db.integrityCheck()).toEqual(['ok']);
    } finally {
      db.close();
    }
  });
});
