// The Node version the README names is the one every documented command needs: package.json engines agrees,
// and every package in the lockfile accepts it. The lockfile holds every platform's optional packages (so that
// `npm install` leaves a clean checkout clean and `npm ci` works on Linux, macOS and Windows).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './lab/helpers';

// semver comes with npm's own dependency tree (electron-builder, vite, ...); it has no types of its own here.
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean };
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean; os?: string[]; cpu?: string[]; dependencies?: Record<string, string>; devDependencies?: Record<string, string> }> };

describe('Node version and lockfile', () => {
  const named = /Requirements: Node\.js (\d+\.\d+) or newer/.exec(read('README.md'))?.[1];

  it('the README names one Node version, and package.json engines says the same', () => {
    expect(named).toBeDefined();
    expect(pkg.engines.node).toBe(`>=${named}.0`);
    expect(lock.packages[''].engines).toEqual(pkg.engines);
  });

  it('every package in the lockfile accepts that version', () => {
    const refuse = Object.entries(lock.packages)
      .filter(([, p]) => p.engines && !Array.isArray(p.engines) && typeof p.engines.node === 'string')
      .filter(([, p]) => !semver.satisfies(`${named}.0`, (p.engines as { node: string }).node))
      .map(([name, p]) => `${name} (node ${(p.engines as { node: string }).node})`);
    expect(refuse).toEqual([]);
  });

  it('the lockfile is current for package.json and holds the optional packages of every platform', () => {
    expect(lock.packages[''].dependencies).toEqual(pkg.dependencies);
    expect(lock.packages[''].devDependencies).toEqual(pkg.devDependencies);
    const optional = Object.entries(lock.packages).filter(([, p]) => p.optional && p.os);
    const oses = new Set(optional.flatMap(([, p]) => p.os ?? []));
    for (const os of ['linux', 'darwin', 'win32']) expect(oses.has(os), os).toBe(true);
    for (const name of ['@esbuild/darwin-arm64', '@esbuild/win32-x64', '@esbuild/linux-x64', '@rollup/rollup-darwin-arm64', '@rollup/rollup-win32-x64-msvc', '@rollup/rollup-linux-x64-gnu']) {
      expect(lock.packages[`node_modules/${name}`], name).toBeDefined();
    }
  });
});
