#!/usr/bin/env node
// Makes `npm start` (`electron .` on the unpackaged app) able to open SQLite.
//
// node_modules/better-sqlite3 is built for Node's ABI, which `npm test` and the CLI need. Electron has its own ABI,
// so this script keeps a second, Electron-ABI copy OUTSIDE that tree:
//   build/electron-native/package.json                                   (declares better-sqlite3, for @electron/rebuild)
//   build/electron-native/node_modules/better-sqlite3/build/Release/better_sqlite3.node   <- the Electron binary
//   build/electron-native/stamp.json                                     (Electron version, better-sqlite3 version, platform, arch)
// main/electron/main.ts passes that binary to better-sqlite3 as `nativeBinding` (see main/electron/native-binding.ts,
// which must name the same paths). Packaged apps do not use it: electron-builder rebuilds node_modules for Electron.
//
// Steps: (1) check that Electron's binary is installed (an install with ELECTRON_SKIP_BINARY_DOWNLOAD=1 has none);
// (2) skip if the stamp matches the installed Electron and better-sqlite3; (3) copy node_modules/better-sqlite3
// (without its Node build) and build it for Electron: @electron/rebuild (installed with electron-builder) when present,
// else prebuild-install (downloads the project's prebuilt Electron binary from GitHub), else node-gyp from source
// (downloads Electron's headers; needs Python and a C++ toolchain); (4) load the result in Electron
// (ELECTRON_RUN_AS_NODE) to prove the ABI matches; (5) write the stamp.
//
// Usage: node scripts/electron-native.mjs [--force] [--native-only]
//   --force        rebuild even when the stamp is current
//   --native-only  build the binary even if Electron's own binary is missing (it cannot be verified then)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ELECTRON_NATIVE_DIR = 'build/electron-native';
export const ELECTRON_NATIVE_MODULE = `${ELECTRON_NATIVE_DIR}/node_modules/better-sqlite3`;
export const ELECTRON_NATIVE_BINDING = `${ELECTRON_NATIVE_MODULE}/build/Release/better_sqlite3.node`;
export const ELECTRON_NATIVE_STAMP = `${ELECTRON_NATIVE_DIR}/stamp.json`;

const ELECTRON_HEADERS_URL = 'https://electronjs.org/headers';

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

const REINSTALL_ELECTRON = [
  'Reinstall Electron with its binary (this needs internet access):',
  '  1. make sure ELECTRON_SKIP_BINARY_DOWNLOAD is not set',
  '       (bash: unset ELECTRON_SKIP_BINARY_DOWNLOAD;  PowerShell: Remove-Item Env:ELECTRON_SKIP_BINARY_DOWNLOAD)',
  '  2. node node_modules/electron/install.js      (or: npm rebuild electron)',
  'then run `npm start` again.',
].join('\n');

/**
 * Whether node_modules/electron has its binary. { ok, version, executable } or { ok: false, version, message }.
 * Mirrors node_modules/electron/index.js (path.txt, dist/, ELECTRON_OVERRIDE_DIST_PATH) without throwing.
 */
export function electronBinaryStatus(root, env = process.env) {
  const dir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(path.join(dir, 'package.json'))) {
    return { ok: false, version: undefined, message: 'Electron is not installed (no node_modules/electron). Run `npm install` first.' };
  }
  const version = readJson(path.join(dir, 'package.json')).version;
  const pathFile = path.join(dir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const executable = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    if (existsSync(executable)) return { ok: true, version, executable };
    return { ok: false, version, message: `ELECTRON_OVERRIDE_DIST_PATH is set, but ${executable} does not exist.` };
  }
  const executable = relative ? path.join(dir, 'dist', relative) : undefined;
  if (!executable || !existsSync(executable)) {
    return {
      ok: false,
      version,
      message:
        `Electron ${version} is installed without its binary (node_modules/electron/${relative ? `dist/${relative}` : 'path.txt'} is missing),\n` +
        'as happens when it was installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, so `electron .` cannot start the app.\n' +
        REINSTALL_ELECTRON,
    };
  }
  const installed = existsSync(path.join(dir, 'dist', 'version')) ? readFileSync(path.join(dir, 'dist', 'version'), 'utf8').trim().replace(/^v/, '') : version;
  if (installed !== version) {
    return { ok: false, version, message: `node_modules/electron/dist holds Electron ${installed}, but the package is ${version}.\n${REINSTALL_ELECTRON}` };
  }
  return { ok: true, version, executable };
}

/** Runs a script in Electron as plain Node (ELECTRON_RUN_AS_NODE); returns { ok, stdout, stderr }. */
function runInElectron(executable, code, cwd) {
  const r = spawnSync(executable, ['-e', code], {
    cwd,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const ok = r.status === 0 && !r.error;
  return { ok, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** { electron, platform, arch } of the Electron that `electron .` will run: asked of the binary when possible. */
export function electronRuntime(status, env = process.env) {
  const fallback = { electron: status.version, platform: env.npm_config_platform || process.platform, arch: env.npm_config_arch || process.arch };
  if (!status.ok) return fallback;
  const r = runInElectron(status.executable, 'process.stdout.write(JSON.stringify({ electron: process.versions.electron, platform: process.platform, arch: process.arch }))');
  if (!r.ok) return fallback;
  try {
    return JSON.parse(r.stdout);
  } catch {
    return fallback;
  }
}

export function readStamp(root) {
  try {
    return readJson(path.join(root, ELECTRON_NATIVE_STAMP));
  } catch {
    return undefined;
  }
}

/** True when the stamp and the binary match the wanted Electron, better-sqlite3, platform and arch. */
export function isUpToDate(root, wanted) {
  const stamp = readStamp(root);
  if (!stamp || !existsSync(path.join(root, ELECTRON_NATIVE_BINDING))) return false;
  return ['electron', 'betterSqlite3', 'platform', 'arch'].every((k) => stamp[k] === wanted[k]);
}

/** Fresh copy of node_modules/better-sqlite3 without its Node-ABI build, inside a tiny project @electron/rebuild can walk. */
function prepareCopy(root, betterSqlite3) {
  const nativeDir = path.join(root, ELECTRON_NATIVE_DIR);
  rmSync(nativeDir, { recursive: true, force: true });
  mkdirSync(path.dirname(path.join(root, ELECTRON_NATIVE_MODULE)), { recursive: true });
  writeFileSync(
    path.join(nativeDir, 'package.json'),
    `${JSON.stringify({ name: 'wgf-lab-electron-native', private: true, description: 'Electron-ABI build of better-sqlite3 for `npm start`; made by scripts/electron-native.mjs', dependencies: { 'better-sqlite3': betterSqlite3 } }, null, 2)}\n`,
  );
  const source = path.join(root, 'node_modules', 'better-sqlite3');
  cpSync(source, path.join(root, ELECTRON_NATIVE_MODULE), {
    recursive: true,
    // The Node-ABI build must never be mistaken for the Electron one.
    filter: (src) => {
      const rel = path.relative(source, src);
      return !(rel === 'build' || rel.startsWith(`build${path.sep}`) || rel === 'prebuilds' || rel.startsWith(`prebuilds${path.sep}`));
    },
  });
  return nativeDir;
}

function run(label, command, args, cwd, log) {
  log(`$ ${[command, ...args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const r = spawnSync(command, args, { cwd, stdio: 'inherit', env: process.env, shell: false });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${label} exited with code ${r.status} (its output is above)`);
}

/** The three ways to get the binary, tried in order until one produces it. */
function strategies(root, nativeDir, runtime, log) {
  const req = createRequire(path.join(root, 'package.json'));
  const resolve = (id) => {
    try {
      return req.resolve(id);
    } catch {
      return undefined;
    }
  };
  const moduleDir = path.join(root, ELECTRON_NATIVE_MODULE);
  const list = [];
  const rebuildEntry = resolve('@electron/rebuild');
  if (rebuildEntry) {
    list.push({
      name: '@electron/rebuild',
      async run() {
        const { rebuild } = await import(pathToFileURL(rebuildEntry).href);
        await rebuild({
          buildPath: nativeDir,
          electronVersion: runtime.electron,
          arch: runtime.arch,
          onlyModules: ['better-sqlite3'],
          force: true,
          mode: 'sequential',
          headerURL: ELECTRON_HEADERS_URL,
        });
      },
    });
  }
  const prebuildInstall = resolve('prebuild-install/bin.js');
  if (prebuildInstall) {
    list.push({
      name: 'prebuild-install',
      async run() {
        run('prebuild-install', process.execPath, [prebuildInstall, '--runtime', 'electron', '--target', runtime.electron, '--arch', runtime.arch, '--platform', runtime.platform, '--verbose'], moduleDir, log);
      },
    });
  }
  const nodeGyp = resolve('node-gyp/bin/node-gyp.js');
  if (nodeGyp) {
    list.push({
      name: 'node-gyp',
      async run() {
        run(
          'node-gyp',
          process.execPath,
          [nodeGyp, 'rebuild', '--release', '--runtime=electron', `--target=${runtime.electron}`, `--arch=${runtime.arch}`, `--dist-url=${ELECTRON_HEADERS_URL}`, `--devdir=${path.join(os.homedir(), '.electron-gyp')}`],
          moduleDir,
          log,
        );
      },
    });
  }
  return list;
}

/** Loads the binary in Electron (as Node) and opens an in-memory database: proves the ABI matches. */
function verifyInElectron(root, executable) {
  const binding = path.join(root, ELECTRON_NATIVE_BINDING);
  const lib = path.join(root, 'node_modules', 'better-sqlite3');
  const code = `const D = require(${JSON.stringify(lib)}); const db = new D(':memory:', { nativeBinding: ${JSON.stringify(binding)} }); db.prepare('select 1').get(); db.close();`;
  return runInElectron(executable, code, root);
}

const failureHelp = (runtime, errors) =>
  [
    `Could not get better-sqlite3 built for Electron ${runtime.electron} (${runtime.platform}-${runtime.arch}).`,
    ...errors.map((e) => `  - ${e}`),
    'This step needs internet access: a prebuilt binary comes from github.com/WiseLibs/better-sqlite3/releases, and a',
    `source build downloads Electron's headers from ${ELECTRON_HEADERS_URL} (and needs Python 3 and a C++ compiler:`,
    'build-essential on Linux, Xcode command line tools on macOS, Visual Studio Build Tools on Windows).',
    'Fix the network or toolchain and run `npm start` again (or `node scripts/electron-native.mjs --force`).',
    '`npm test`, `npm run serve` and the CLI do not need this step.',
  ].join('\n');

/**
 * Ensures the Electron-ABI better-sqlite3 exists. Returns { ok: true, skipped, method? } or { ok: false, message }.
 * Never touches node_modules/better-sqlite3.
 */
export async function ensureElectronNative({
  root,
  force = false,
  nativeOnly = false,
  log = (m) => process.stderr.write(`[electron-native] ${m}\n`),
  // Tests pass their own [{ name, run({ moduleDir, runtime }) }]; normally @electron/rebuild, prebuild-install, node-gyp.
  builders = undefined,
}) {
  const status = electronBinaryStatus(root);
  if (!status.ok && !nativeOnly) return { ok: false, message: status.message };
  if (!status.ok) log(`warning: ${status.message.split('\n')[0]} Building anyway; the result cannot be verified.`);
  const betterSqlite3 = readJson(path.join(root, 'node_modules', 'better-sqlite3', 'package.json')).version;
  const runtime = electronRuntime(status);
  const wanted = { ...runtime, betterSqlite3 };
  if (!force && isUpToDate(root, wanted)) {
    log(`better-sqlite3 ${betterSqlite3} for Electron ${runtime.electron} (${runtime.platform}-${runtime.arch}) is up to date`);
    return { ok: true, skipped: true };
  }
  log(`building better-sqlite3 ${betterSqlite3} for Electron ${runtime.electron} (${runtime.platform}-${runtime.arch}) in ${ELECTRON_NATIVE_DIR}/`);
  const nativeDir = prepareCopy(root, betterSqlite3);
  const binding = path.join(root, ELECTRON_NATIVE_BINDING);
  const errors = [];
  let method;
  const moduleDir = path.join(root, ELECTRON_NATIVE_MODULE);
  for (const strategy of builders ?? strategies(root, nativeDir, runtime, log)) {
    log(`trying ${strategy.name}`);
    try {
      await strategy.run({ moduleDir, runtime });
      if (!existsSync(binding)) throw new Error(`finished but produced no ${ELECTRON_NATIVE_BINDING}`);
      if (status.ok) {
        const check = verifyInElectron(root, status.executable);
        if (!check.ok) {
          rmSync(path.join(root, ELECTRON_NATIVE_MODULE, 'build'), { recursive: true, force: true });
          throw new Error(`the binary does not load in Electron: ${check.stderr.trim().split('\n').slice(-3).join(' ')}`);
        }
      }
      method = strategy.name;
      break;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      errors.push(`${strategy.name}: ${message.split('\n')[0]}`);
      log(`${strategy.name} failed: ${message.split('\n')[0]}`);
    }
  }
  if (!method) {
    if (errors.length === 0) errors.push('none of @electron/rebuild, prebuild-install, node-gyp is installed (run `npm install`)');
    return { ok: false, message: failureHelp(runtime, errors) };
  }
  writeFileSync(
    path.join(root, ELECTRON_NATIVE_STAMP),
    `${JSON.stringify({ ...wanted, method, verified: status.ok, builtAt: new Date().toISOString() }, null, 2)}\n`,
  );
  log(`built with ${method}: ${ELECTRON_NATIVE_BINDING}`);
  if (!status.ok) return { ok: false, message: status.message };
  return { ok: true, skipped: false, method };
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const args = new Set(process.argv.slice(2));
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const result = await ensureElectronNative({ root, force: args.has('--force'), nativeOnly: args.has('--native-only') });
  if (!result.ok) {
    process.stderr.write(`\nnpm start: ${result.message}\n\n`);
    process.exit(1);
  }
}
