// Why a database file could not be opened, in words that name the path and say what to do. Every open of the
// lab database goes through describeOpenError (openLabDatabase), so the CLI, serve and the app report the
// same messages: missing file, missing folder, a directory, not a database, read-only, newer schema.
import { statSync } from 'node:fs';
import path from 'node:path';
import { DatabaseTooNewError } from './migrate';

export type DatabaseProblem = 'missing' | 'missing_folder' | 'directory' | 'not_a_database' | 'read_only' | 'other';

/** A database that cannot be used as it is; `problem` says why, the message names the path and the fix. */
export class DatabaseOpenError extends Error {
  readonly file: string;
  readonly problem: DatabaseProblem;
  constructor(file: string, problem: DatabaseProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseOpenError';
    this.file = file;
    this.problem = problem;
  }
}

const kindOf = (p: string): 'file' | 'directory' | 'other' | 'none' => {
  try {
    const s = statSync(p);
    return s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'none';
  }
};

/** Checks made before SQLite touches anything (so that a refused path is left exactly as it was). */
export function checkDatabasePath(file: string, mustExist: boolean): void {
  const abs = path.resolve(file);
  const kind = kindOf(abs);
  if (kind === 'directory') {
    throw new DatabaseOpenError(file, 'directory', `database ${abs} is a directory, not a file; give the path of a .sqlite file, e.g. ${path.join(abs, 'wgflab.sqlite')}`);
  }
  if (kind === 'none') {
    const dir = path.dirname(abs);
    if (kindOf(dir) !== 'directory') {
      throw new DatabaseOpenError(file, 'missing_folder', `database ${abs} cannot be created: the folder ${dir} does not exist; create the folder first, or choose another path`);
    }
    if (mustExist) {
      throw new DatabaseOpenError(file, 'missing', `database ${abs} does not exist; check the path (only "wgflab run <setup.json> --db <file>" creates a database)`);
    }
  }
}

/** Turns an error thrown while opening and migrating `file` into a DatabaseOpenError naming the path. */
export function describeOpenError(file: string, e: unknown): Error {
  if (e instanceof DatabaseOpenError) return e;
  const abs = path.resolve(file);
  // Already names the path and what to do (and the file was not changed).
  if (e instanceof DatabaseTooNewError) return e;
  const code = (e as { code?: string })?.code ?? '';
  const message = (e as Error)?.message ?? String(e);
  if (code === 'SQLITE_NOTADB' || /file is not a database/i.test(message)) {
    return new DatabaseOpenError(file, 'not_a_database', `${abs} is not a WGF Lab database (not an SQLite file, or damaged); choose another path (the file was not changed)`, { cause: e });
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || /readonly|read-only|permission denied/i.test(message)) {
    return new DatabaseOpenError(file, 'read_only', `database ${abs} is read-only: WGF Lab writes the file and its -wal and -shm files beside it; make the file and its folder writable, or copy it to a writable folder`, { cause: e });
  }
  if (code === 'SQLITE_CANTOPEN') {
    return new DatabaseOpenError(file, 'other', `database ${abs} cannot be opened (${message}); check that the path and its folder exist and are writable`, { cause: e });
  }
  return new DatabaseOpenError(file, 'other', `database ${abs} cannot be opened: ${message}`, { cause: e });
}

/** An error about the database file itself (its path, kind, permissions or schema), which the user fixes. */
export const isDatabaseFileError = (e: unknown): e is Error => e instanceof DatabaseOpenError || e instanceof DatabaseTooNewError;
