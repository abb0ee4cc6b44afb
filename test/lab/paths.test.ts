// main/paths.ts: finding the built worker from any folder, and inside a packaged Electron app.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asarUnpacked, defaultDbPath, findWorkerFile } from '../../main/paths';
import { removeTempDirs, ROOT, tempDir } from './helpers';

afterAll(removeTempDirs);

describe('paths', () => {
  it('finds dist/workers/run-worker.mjs from the project root, dist/node and deeper folders', () => {
    const expected = path.join(ROOT, 'dist', 'workers', 'run-worker.mjs');
    expect(findWorkerFile(ROOT)).toBe(expected);
    expect(findWorkerFile(path.join(ROOT, 'dist', 'node'))).toBe(expected);
    expect(findWorkerFile(path.join(ROOT, 'test', 'lab'))).toBe(expected);
  });

  it('maps app.asar to app.asar.unpacked for a packaged app', () => {
    const resources = path.join(tempDir(), 'resources');
    const unpacked = path.join(resources, 'app.asar.unpacked', 'dist', 'workers');
    mkdirSync(unpacked, { recursive: true });
    writeFileSync(path.join(unpacked, 'run-worker.mjs'), '');
    expect(asarUnpacked(path.join(resources, 'app.asar', 'dist', 'x.mjs'))).toBe(path.join(resources, 'app.asar.unpacked', 'dist', 'x.mjs'));
    expect(findWorkerFile(path.join(resources, 'app.asar', 'dist', 'main'))).toBe(path.join(unpacked, 'run-worker.mjs'));
  });

  it('says what to build when the worker is missing, and names the default database', () => {
    expect(() => findWorkerFile(tempDir())).toThrow(/cannot find dist\/workers\/run-worker\.mjs .*node scripts\/build\.mjs/);
    expect(defaultDbPath('/home/u/.config/WGF Lab')).toBe(path.join('/home/u/.config/WGF Lab', 'wgflab.sqlite'));
  });
});
