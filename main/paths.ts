// Where the lab's files are: the built worker entry (also inside a packaged Electron app) and the database.
import { existsSync } from 'node:fs';
import path from 'node:path';

export const WORKER_RELATIVE_PATH = path.join('dist', 'workers', 'run-worker.mjs');
export const DB_FILE_NAME = 'wgflab.sqlite';

/** Worker threads cannot load files from inside an asar archive; electron-builder unpacks them beside it. */
export function asarUnpacked(file: string): string {
  return file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/**
 * Walks up from fromDir (e.g. dist/node, dist/main, the project root or a test's cwd) to the first folder
 * holding dist/workers/run-worker.mjs and returns its absolute path. Inside a packaged Electron app
 * (.../resources/app.asar/...) it returns the app.asar.unpacked copy.
 */
export function findWorkerFile(fromDir: string): string {
  let dir = path.resolve(fromDir);
  for (;;) {
    const candidate = path.join(dir, WORKER_RELATIVE_PATH);
    const unpacked = asarUnpacked(candidate);
    if (existsSync(unpacked)) return unpacked;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find ${WORKER_RELATIVE_PATH} in ${path.resolve(fromDir)} or any folder above it; build it with "node scripts/build.mjs --node-only"`);
}

/** The default database file inside the app's user-data folder. */
export function defaultDbPath(userDataDir: string): string {
  return path.join(userDataDir, DB_FILE_NAME);
}
