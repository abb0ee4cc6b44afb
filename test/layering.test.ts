// Enforces the layering of ../shared/DESIGN.md: src/ imports nothing from main/, db/, workers/, renderer/,
// Node or Electron; renderer/ never imports Node, Electron, main/, db/ or workers/; inside src/, problems and
// schemes never import each other (they meet in src/registry/ and src/engine/registry.ts), and measures,
// linear algebra, OT and the particle numerics import neither.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = process.cwd();

function filesUnder(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) { if (name !== 'node_modules') walk(p); } else if (exts.some((e) => name.endsWith(e))) out.push(p);
    }
  };
  walk(path.join(root, dir));
  return out;
}

/** Module specifiers of static imports, re-exports and dynamic imports in a source file. */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?[\w*{}\s,$]*\s+from\s+['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) specs.push(m[1]);
  return specs;
}

const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const resolvesInto = (file: string, spec: string, dirs: string[]): boolean => {
  if (!spec.startsWith('.')) return false;
  const rel = path.relative(root, path.resolve(path.dirname(file), spec));
  return dirs.some((d) => rel === d || rel.startsWith(`${d}${path.sep}`));
};

function violations(dir: string, exts: string[], allowedPackages: (spec: string) => boolean, forbiddenDirs: string[]): string[] {
  const bad: string[] = [];
  for (const file of filesUnder(dir, exts)) {
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const rel = path.relative(root, file);
      if (nodeBuiltins.has(spec) || spec.startsWith('node:')) bad.push(`${rel} imports Node module "${spec}"`);
      else if (spec === 'electron' || spec.startsWith('electron/')) bad.push(`${rel} imports "${spec}"`);
      else if (resolvesInto(file, spec, forbiddenDirs)) bad.push(`${rel} imports "${spec}" from a layer it must not use`);
      else if (!spec.startsWith('.') && !allowedPackages(spec)) bad.push(`${rel} imports package "${spec}"`);
    }
  }
  return bad;
}

describe('layering', () => {
  it('finds imports of every form (the checker itself can fail)', () => {
    expect(importsOf(`import fs from 'node:fs';\nimport type { A } from "../main/x";\nexport { b } from './b';\nconst m = await import('electron');`))
      .toEqual(['node:fs', '../main/x', './b', 'electron']);
  });

  it('src/ imports only src/ and zod', () => {
    expect(violations('src', ['.ts'], (s) => s === 'zod', ['main', 'db', 'workers', 'renderer', 'test'])).toEqual([]);
  });

  it('inside src/: problems and schemes never import each other; the shared layers import neither', () => {
    const rules: [string, string[]][] = [
      ['src/problems', ['src/schemes', 'src/registry']],
      ['src/schemes', ['src/problems', 'src/registry']],
      ['src/measures', ['src/problems', 'src/schemes', 'src/registry']],
      ['src/linalg', ['src/problems', 'src/schemes', 'src/registry', 'src/engine']],
      ['src/ot', ['src/problems', 'src/schemes', 'src/registry', 'src/engine']],
      ['src/particles', ['src/problems', 'src/schemes', 'src/registry', 'src/engine']],
      ['src/grid', ['src/problems', 'src/schemes', 'src/registry', 'src/engine']],
      ['src/nets', ['src/problems', 'src/schemes', 'src/registry', 'src/engine']],
    ];
    const bad: string[] = [];
    for (const [dir, forbidden] of rules) {
      if (existsSync(path.join(root, dir))) bad.push(...violations(dir, ['.ts'], (s) => s === 'zod', forbidden.map((f) => f.split('/').join(path.sep))));
    }
    expect(bad).toEqual([]);
  });

  it('the src/ rules catch a scheme that imports a problem (the checker itself can fail)', () => {
    const dir = mkdtempSync(path.join(root, 'src', 'schemes', '.layering-probe-'));
    try {
      writeFileSync(path.join(dir, 'probe.ts'), "import { klProblem } from '../../problems/kl/index';\n");
      const rel = path.relative(root, dir);
      expect(violations(rel, ['.ts'], (s) => s === 'zod', [path.join('src', 'problems')])).toEqual([`${path.join(rel, 'probe.ts')} imports "../../problems/kl/index" from a layer it must not use`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renderer/ never imports Node, Electron, main/, db/ or workers/', () => {
    const ok = (s: string) => ['vue', 'pinia', 'zod', 'vite', '@vitejs/plugin-vue'].includes(s) || s.startsWith('echarts') || s.startsWith('vue');
    // vite.config.ts runs in Node at build time, not in the renderer.
    const bad = violations('renderer', ['.ts', '.vue'], ok, ['main', 'db', 'workers']).filter((v) => !v.startsWith(path.join('renderer', 'vite.config.ts')));
    expect(bad).toEqual([]);
  });
});
