// Builds every target of the lab into dist/:
//   dist/node/*.mjs        command line (wgflab), browser-mode server (serve), benchmarks (bench)
//   dist/workers/*.mjs     Piscina worker entries and the series reader thread (loaded by file name, unpacked from the asar archive)
//   dist/main/electron.cjs Electron main process;  dist/preload/preload.cjs sandboxed preload (CommonJS)
//   dist/renderer/         the Vue renderer (vite build), skipped with --node-only
// Flags: --node-only (skip the renderer), --quiet (print nothing unless it fails).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const nodeOnly = args.has('--node-only');
const log = (msg) => { if (!quiet) process.stderr.write(`${msg}\n`); };

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'error',
  // Dependencies stay in node_modules: better-sqlite3 is native, piscina spawns threads by file name.
  packages: 'external',
};

const nodeEntries = {
  wgflab: 'main/cli/index.ts',
  serve: 'main/serve.ts',
  bench: 'test/bench/index.ts',
};
const workerEntries = {
  'run-worker': 'workers/run-worker.ts',
};

const present = (entries) =>
  Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(path.join(root, file))));

const t0 = Date.now();
await build({
  ...common,
  format: 'esm',
  entryPoints: present(nodeEntries),
  outdir: 'dist/node',
  outExtension: { '.js': '.mjs' },
  // ESM bundles that still load CommonJS packages (better-sqlite3) need a require().
  banner: { js: "import { createRequire as __wgfCreateRequire } from 'node:module'; const require = __wgfCreateRequire(import.meta.url);" },
});
await build({
  ...common,
  format: 'esm',
  entryPoints: present(workerEntries),
  outdir: 'dist/workers',
  outExtension: { '.js': '.mjs' },
  // Workers bundle src/ fully so that a worker thread loads one file.
  packages: undefined,
});
// The series reader thread opens its own read-only SQLite connection: better-sqlite3 stays external.
await build({
  ...common,
  format: 'esm',
  entryPoints: present({ 'series-worker': 'main/series-worker.ts' }),
  outdir: 'dist/workers',
  outExtension: { '.js': '.mjs' },
  banner: { js: "import { createRequire as __wgfCreateRequire } from 'node:module'; const require = __wgfCreateRequire(import.meta.url);" },
});
if (existsSync(path.join(root, 'main/electron/main.ts'))) {
  await build({ ...common, format: 'cjs', entryPoints: { electron: 'main/electron/main.ts' }, outdir: 'dist/main', outExtension: { '.js': '.cjs' }, external: ['electron'] });
  await build({ ...common, format: 'cjs', entryPoints: { preload: 'main/electron/preload.ts' }, outdir: 'dist/preload', outExtension: { '.js': '.cjs' }, packages: undefined, external: ['electron'] });
}
log(`built node targets in ${Date.now() - t0} ms`);

if (!nodeOnly && existsSync(path.join(root, 'renderer/index.html'))) {
  const { build: viteBuild } = await import('vite');
  const t1 = Date.now();
  await viteBuild({ configFile: path.join(root, 'renderer/vite.config.ts'), logLevel: quiet ? 'silent' : 'warn' });
  log(`built renderer in ${Date.now() - t1} ms`);
}
