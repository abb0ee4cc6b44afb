// Where the lab's files are: the built worker entry (also inside a packaged Electron app) and the database.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const APP_NAME = 'WGF Lab';

/** Electron's app.getPath('userData') for the app name "WGF Lab", computed without Electron (CLI, browser mode). */
export function userDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  if (platform === 'win32') return path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', APP_NAME);
  return path.posix.join(env.XDG_CONFIG_HOME || path.posix.join(home, '.config'), APP_NAME);
}

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
