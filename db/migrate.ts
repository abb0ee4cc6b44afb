// The migration runner: applies each pending migration and bumps PRAGMA user_version inside one transaction,
// and refuses a database whose user_version is newer than this app knows.
import type Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index';

/** Schema version this build of the app writes. */
export const SCHEMA_VERSION = MIGRATIONS.length === 0 ? 0 : MIGRATIONS[MIGRATIONS.length - 1].version;

/** The database was written by a newer app: opening it could corrupt data this app does not understand. */
export class DatabaseTooNewError extends Error {
  readonly found: number;
  readonly known: number;
  constructor(file: string, found: number, known: number) {
    super(`database ${file} has schema version ${found}, but this version of WGF Lab knows schema versions up to ${known}; open it with a newer WGF Lab (the file was not changed)`);
    this.name = 'DatabaseTooNewError';
    this.found = found;
    this.known = known;
  }
}

export const userVersion = (db: Database.Database): number => db.pragma('user_version', { simple: true }) as number;

/**
 * Brings the schema to SCHEMA_VERSION. Each migration runs in its own IMMEDIATE transaction together with the
 * user_version bump, so a crash leaves the database at a whole version, and two processes opening the same
 * file at once do not both apply a migration. Returns the versions applied.
 */
export function migrate(db: Database.Database, file: string, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const known = migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
  const current = userVersion(db);
  if (current > known) throw new DatabaseTooNewError(file, current, known);
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    const apply = db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      const now = userVersion(db);
      if (now > known) throw new DatabaseTooNewError(file, now, known);
      if (now >= m.version) return false;
      if (now !== m.version - 1) throw new Error(`database ${file} is at schema version ${now}; migration ${m.name} expects ${m.version - 1}`);
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
      return true;
    });
    if (apply.immediate()) applied.push(m.version);
  }
  return applied;
}
