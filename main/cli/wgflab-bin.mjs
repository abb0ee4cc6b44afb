#!/usr/bin/env node
// The installed `wgflab` command (package.json "bin"; `npx wgflab ...` in the project): builds the Node bundles
// once if they are missing, then runs dist/node/wgflab.mjs with the same arguments.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bundle = path.join(root, 'dist', 'node', 'wgflab.mjs');
if (!existsSync(bundle) || !existsSync(path.join(root, 'dist', 'workers', 'run-worker.mjs'))) {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--node-only', '--quiet'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) {
    process.stderr.write('wgflab: building dist/node/wgflab.mjs failed (run "node scripts/build.mjs --node-only" in the project to see why)\n');
    process.exit(1);
  }
}
await import(pathToFileURL(bundle).href);
