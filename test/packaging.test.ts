// electron-builder.yml against what scripts/build.mjs produces (npm test builds first), and the built Electron
// bundles against what a packaged app can load: the main bundle only electron, Node built-ins and production
// dependencies; the sandboxed preload only electron; the unpacked worker only Node built-ins.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ELECTRON_NATIVE_BINDING, ELECTRON_NATIVE_DIR } from '../main/electron/native-binding';

const root = process.cwd();
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string; productName: string; main: string; dependencies: Record<string, string>; devDependencies: Record<string, string>;
};

interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { output: string; buildResources?: string };
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild?: boolean;
  buildDependenciesFromSource?: boolean;
  electronFuses?: Record<string, boolean>;
  linux: { target: string[]; category: string; maintainer: string };
  mac: { target: string[] };
  win: { target: string[] };
}
const configFile = path.join(root, 'electron-builder.yml');
const config = parse(readFileSync(configFile, 'utf8')) as BuilderConfig;

/** Glob as electron-builder (minimatch) reads these patterns: `**` any depth, `*` and `?` within a segment, {a,b}. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      re += `(?:${glob.slice(i + 1, end).split(',').map((s) => s.replace(/[.+^$()|[\]\\]/g, '\\$&')).join('|')})`;
      i = end;
    } else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const matchesAny = (file: string, patterns: readonly string[]) => patterns.some((p) => globToRegExp(p).test(file));

/** Whether electron-builder's `files` keeps a project-relative path: some positive pattern matches, no later negation. */
function packed(file: string): boolean {
  let keep = false;
  for (const pattern of config.files) {
    if (pattern.startsWith('!')) {
      if (globToRegExp(pattern.slice(1)).test(file)) keep = false;
    } else if (globToRegExp(pattern).test(file)) keep = true;
  }
  return keep;
}

const built = (rel: string) => existsSync(path.join(root, rel));
const workerFile = 'dist/workers/run-worker.mjs';
const preloadFile = 'dist/preload/preload.cjs';
const rendererIndex = 'dist/renderer/index.html';
const hasRendererSource = existsSync(path.join(root, 'renderer/index.html'));

describe('glob helper', () => {
  it('reads patterns the way electron-builder does', () => {
    expect(globToRegExp('**/*.node').test('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    expect(globToRegExp('**/*.node').test('x.node')).toBe(true);
    expect(globToRegExp('dist/workers/**').test('dist/workers/run-worker.mjs')).toBe(true);
    expect(globToRegExp('dist/workers/**').test('dist/main/electron.cjs')).toBe(false);
    expect(globToRegExp('dist/*.cjs').test('dist/main/electron.cjs')).toBe(false);
    expect(globToRegExp('node_modules/better-sqlite3/{deps,src}/**').test('node_modules/better-sqlite3/src/x.cpp')).toBe(true);
  });
});

describe('electron-builder.yml', () => {
  it('names the app and writes packages to release/', () => {
    expect(config.appId).toBe('org.wgflab.app');
    expect(config.productName).toBe('WGF Lab');
    expect(config.productName).toBe(pkg.productName);
    expect(config.directories.output).toBe('release');
  });

  it('builds AppImage + deb on Linux, dmg on macOS, nsis on Windows', () => {
    expect([...config.linux.target].sort()).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Science');
    expect(config.linux.maintainer).toMatch(/<[^@\s]+@[^@\s]+>/);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('packs into asar and unpacks the worker and native addons', () => {
    expect(config.asar).toBe(true);
    expect(matchesAny(workerFile, config.asarUnpack)).toBe(true);
    expect(matchesAny('node_modules/better-sqlite3/build/Release/better_sqlite3.node', config.asarUnpack)).toBe(true);
    // The main bundle, preload and renderer stay inside app.asar (integrity-checked with the fuses below).
    expect(matchesAny(pkg.main, config.asarUnpack)).toBe(false);
    expect(matchesAny(preloadFile, config.asarUnpack)).toBe(false);
  });

  it('rebuilds native dependencies for Electron and hardens the binary with fuses', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(false);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('never packs the dev-only Electron build of better-sqlite3', () => {
    const buildResources = config.directories.buildResources ?? 'build';
    expect(`${ELECTRON_NATIVE_DIR}/`.startsWith(`${buildResources}/`)).toBe(true);
    expect(packed(ELECTRON_NATIVE_BINDING)).toBe(false);
  });

  it('passes electron-builder\'s own schema validation', async () => {
    const req = createRequire(path.join(root, 'package.json'));
    const { getConfig, validateConfiguration } = req('app-builder-lib/out/util/config/config') as {
      getConfig(projectDir: string, configPath: string | null, configFromOptions: unknown): Promise<unknown>;
      validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>;
    };
    const { DebugLogger } = req('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    const loaded = await getConfig(root, configFile, null);
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
  });
});

describe('files named by the package exist after the build', () => {
  it('package.json "main" is the built Electron main bundle, and it is packed', () => {
    expect(pkg.main).toBe('dist/main/electron.cjs');
    expect(built(pkg.main), `${pkg.main} (run node scripts/build.mjs)`).toBe(true);
    expect(packed(pkg.main)).toBe(true);
    expect(packed('package.json')).toBe(true);
  });

  it('the preload, the worker and the renderer are built and packed; the worker is unpacked', () => {
    for (const file of [preloadFile, workerFile]) {
      expect(built(file), file).toBe(true);
      expect(packed(file), file).toBe(true);
    }
    expect(matchesAny(workerFile, config.asarUnpack)).toBe(true);
    if (hasRendererSource) {
      expect(built(rendererIndex), rendererIndex).toBe(true);
      expect(packed(rendererIndex)).toBe(true);
    }
    // Source maps stay out of the package; the CLI / browser-mode bundles are not part of the desktop app.
    expect(packed(`${pkg.main}.map`)).toBe(false);
    expect(packed('dist/node/wgflab.mjs')).toBe(false);
  });

  it('every directory the files patterns name is produced by the build', () => {
    for (const pattern of config.files.filter((p) => !p.startsWith('!'))) {
      const literal = pattern.split('/').filter((seg) => !/[*?{]/.test(seg)).join('/');
      if (pattern.startsWith('dist/renderer') && !hasRendererSource) continue;
      expect(built(literal), `${pattern} names ${literal}, which the build does not produce`).toBe(true);
    }
  });
});

describe('dependencies', () => {
  it('run-time packages are production dependencies; electron and the tooling are dev dependencies', () => {
    for (const dep of ['better-sqlite3', 'piscina', 'zod']) {
      expect(pkg.dependencies[dep], `${dep} in dependencies`).toBeDefined();
      expect(pkg.devDependencies[dep], `${dep} not in devDependencies`).toBeUndefined();
    }
    for (const dep of ['electron', 'electron-builder']) {
      expect(pkg.devDependencies[dep], `${dep} in devDependencies`).toBeDefined();
      expect(pkg.dependencies[dep], `${dep} must not be a production dependency`).toBeUndefined();
    }
  });
});

/** Modules a bundle loads at run time: require("x"), import ... from "x", import("x"). */
function loadedModules(code: string): string[] {
  const found = new Set<string>();
  const patterns = [/\brequire\(\s*["']([^"']+)["']\s*\)/g, /^\s*import\s+(?:[\w*{}\s,$]+\s+from\s+)?["']([^"']+)["']/gm, /^\s*export\s+[\w*{}\s,$]*\s+from\s+["']([^"']+)["']/gm, /\bimport\(\s*["']([^"']+)["']\s*\)/g];
  for (const re of patterns) for (const m of code.matchAll(re)) found.add(m[1]);
  return [...found].sort();
}

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const isBuiltin = (spec: string) => builtins.has(spec) || spec.startsWith('node:');
const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

describe('bundles load only what the packaged app has', () => {
  it('the parser finds every form', () => {
    expect(loadedModules(`const a = require("electron");\nimport b from 'zod';\nexport { c } from "node:fs";\nconst d = await import("piscina");`)).toEqual(['electron', 'node:fs', 'piscina', 'zod']);
  });

  it('main bundle: electron, Node built-ins and production dependencies only', () => {
    const code = readFileSync(path.join(root, pkg.main), 'utf8');
    const bad = loadedModules(code).filter((s) => s !== 'electron' && !isBuiltin(s) && !(packageOf(s) in pkg.dependencies));
    expect(bad).toEqual([]);
    expect(loadedModules(code)).toContain('electron');
    // import.meta is empty in a CommonJS bundle: code that needs it (file URLs, workers) would break in Electron.
    expect(code).not.toMatch(/\bimport_meta\s*=\s*\{\s*\}/);
  });

  it('preload bundle: electron only (sandboxed preloads cannot require anything else)', () => {
    const code = readFileSync(path.join(root, preloadFile), 'utf8');
    expect(loadedModules(code)).toEqual(['electron']);
  });

  it('worker bundle: Node built-ins only (it runs from app.asar.unpacked, away from node_modules)', () => {
    const code = readFileSync(path.join(root, workerFile), 'utf8');
    expect(loadedModules(code).filter((s) => !isBuiltin(s))).toEqual([]);
  });
});
