// Where the unpackaged app finds an Electron-ABI build of better-sqlite3. node_modules/better-sqlite3 holds the
// Node-ABI build (so `npm test` runs under plain Node); scripts/electron-native.mjs builds a second copy for
// Electron's ABI under build/electron-native/ and writes a stamp; main.ts passes the binary to better-sqlite3 as
// `nativeBinding`. Packaged apps need none of this: electron-builder rebuilds node_modules for Electron.
// Keep these paths in step with scripts/electron-native.mjs (test/electron-shell.test.ts checks that they are).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ELECTRON_NATIVE_DIR = 'build/electron-native';
export const ELECTRON_NATIVE_BINDING = `${ELECTRON_NATIVE_DIR}/node_modules/better-sqlite3/build/Release/better_sqlite3.node`;
export const ELECTRON_NATIVE_STAMP = `${ELECTRON_NATIVE_DIR}/stamp.json`;

/** Written by scripts/electron-native.mjs after the binary loaded in Electron. */
export interface NativeStamp {
  readonly electron: string;
  readonly betterSqlite3: string;
  readonly platform: string;
  readonly arch: string;
  readonly method: string;
  readonly builtAt: string;
}

export interface ElectronRuntime {
  readonly electron: string;
  readonly platform: string;
  readonly arch: string;
}

export type NativeBindingResult = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly message: string };

const HOW_TO_FIX = 'Run `npm start` (it runs scripts/electron-native.mjs before `electron .`), or `node scripts/electron-native.mjs` once.';

/** The Electron-ABI better-sqlite3 binary under appRoot, checked against the running Electron and installed better-sqlite3. */
export function devNativeBinding(appRoot: string, runtime: ElectronRuntime): NativeBindingResult {
  const binding = path.join(appRoot, ELECTRON_NATIVE_BINDING);
  const stampFile = path.join(appRoot, ELECTRON_NATIVE_STAMP);
  if (!existsSync(stampFile) || !existsSync(binding)) {
    return { ok: false, message: `No Electron build of better-sqlite3 at ${binding}. ${HOW_TO_FIX}` };
  }
  let stamp: Partial<NativeStamp>;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as Partial<NativeStamp>;
  } catch (err) {
    return { ok: false, message: `Unreadable ${stampFile} (${(err as Error).message}). ${HOW_TO_FIX}` };
  }
  let installed: string | undefined;
  try {
    installed = (JSON.parse(readFileSync(path.join(appRoot, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    installed = undefined;
  }
  const wanted: Record<string, string | undefined> = { electron: runtime.electron, platform: runtime.platform, arch: runtime.arch, betterSqlite3: installed };
  const stale = Object.entries(wanted).filter(([k, v]) => v !== undefined && stamp[k as keyof NativeStamp] !== v);
  if (stale.length > 0) {
    const what = stale.map(([k, v]) => `${k} ${String(stamp[k as keyof NativeStamp] ?? '?')} (need ${v})`).join(', ');
    return { ok: false, message: `The Electron build of better-sqlite3 is stale: built for ${what}. ${HOW_TO_FIX}` };
  }
  return { ok: true, path: binding };
}
