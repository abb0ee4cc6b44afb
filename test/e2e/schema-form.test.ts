// The renderer's form generator (renderer/src/composables/schemaForm.ts) on the real setup schemas: every scheme
// kind becomes an option of the kind select, numbers/lists/matrices get their inputs, titles come from .meta().
// (Pure functions; runs under Node next to the browser tests that exercise the same forms in Chromium.)
import { describe, expect, it } from 'vitest';
import { SCHEME_KINDS, SchemeSchema } from '../../src/registry/index';
import { ProblemSchema, SetupSchema, parseSetup } from '../../src/setup/schema';
import { PRESETS } from '../../src/presets/index';
import { childPath, defaultValue, describeSchema, issuesAt, parseSweepValues, type FieldDesc } from '../../renderer/src/composables/schemaForm';
import { prettyJson } from '../../renderer/src/composables/prettyJson';

const field = (d: FieldDesc, key: string): FieldDesc => {
  if (d.kind !== 'object') throw new Error(`not an object: ${d.kind}`);
  const f = d.fields.find((x) => x.key === key);
  if (!f) throw new Error(`no field ${key}`);
  return f.desc;
};

describe('form generation from the zod schemas', () => {
  it('turns the scheme union into a kind select with titled options and a step input', () => {
    const d = describeSchema(SchemeSchema, 'scheme');
    expect(d.kind).toBe('variant');
    if (d.kind !== 'variant') return;
    expect(d.discriminator).toBe('kind');
    expect(d.options.map((o) => o.value)).toEqual([...SCHEME_KINDS]);
    const fb = d.options.find((o) => o.value === 'fb')!;
    expect(fb.desc.title).toMatch(/Forward-backward/);
    const step = field(fb.desc, 'step');
    expect(step).toMatchObject({ kind: 'number', int: false, title: 'Step size g', exclusiveMin: true, min: 0 });
  });

  it('gives the Gaussian problem list inputs, matrix grids and the dense/diagonal choice', () => {
    const d = describeSchema(ProblemSchema, 'problem');
    if (d.kind !== 'variant') throw new Error(d.kind);
    const gk = d.options[0].desc;
    const target = field(gk, 'target');
    expect(target.title).toBe('Target pi = N(m, Sigma)');
    expect(field(target, 'mean')).toMatchObject({ kind: 'number-list', title: 'Mean', description: 'vector of length d' });
    const cov = field(target, 'cov');
    expect(cov.kind).toBe('union');
    if (cov.kind !== 'union') return;
    expect(cov.options.map((o) => [o.shape, o.desc.kind])).toEqual([['array', 'matrix'], ['object', 'object'], ['object', 'object']]);
  });

  it('describes the setup parameters (iterations as an integer, seeds as a list)', () => {
    expect(describeSchema(SetupSchema.shape.iterations, 'iterations')).toMatchObject({ kind: 'number', int: true, max: 10_000_000 });
    expect(describeSchema(SetupSchema.shape.seeds, 'seeds')).toMatchObject({ kind: 'number-list', int: true, title: 'Seeds' });
    expect(describeSchema(SetupSchema.shape.description, 'description')).toMatchObject({ kind: 'string', multiline: true, optional: true });
  });

  it('builds valid defaults when the kind changes, keeping shared fields', () => {
    const d = describeSchema(SchemeSchema, 'scheme');
    if (d.kind !== 'variant') throw new Error(d.kind);
    const jko = d.options.find((o) => o.value === 'jko')!;
    expect(defaultValue(jko.desc, { kind: 'fb', step: 0.05 })).toEqual({ kind: 'jko', step: 0.05 });
    expect(defaultValue(jko.desc)).toEqual({ kind: 'jko', step: 0.1 });
  });

  it('matches issues to fields and parses sweep values as typed', () => {
    const issues = [{ path: 'problem.target.cov', message: 'a' }, { path: 'problem.target.cov[1][0]', message: 'b' }, { path: 'problem.target.covx', message: 'c' }];
    expect(issuesAt(issues, 'problem.target.cov').map((i) => i.message)).toEqual(['a', 'b']);
    expect(childPath('problem', 'target')).toBe('problem.target');
    expect(childPath('problem.target.mean', 2)).toBe('problem.target.mean[2]');
    expect(parseSweepValues('0.01, 0.05, 0.1')).toEqual([0.01, 0.05, 0.1]);
    expect(parseSweepValues('fb, ula')).toEqual(['fb', 'ula']);
    expect(parseSweepValues('[0, 1], [2, 3]')).toEqual([[0, 1], [2, 3]]);
    expect(parseSweepValues('  ')).toEqual([]);
  });

  it('writes every preset as JSON that parses back to the same valid setup', () => {
    for (const p of PRESETS) {
      const text = prettyJson(p.setup);
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(p.setup)));
      expect(parseSetup(JSON.parse(text)).ok).toBe(true);
    }
    expect(prettyJson({ a: [1, 2], b: { c: [[1, 0], [0, 1]] } })).toBe('{\n  "a": [1, 2],\n  "b": {\n    "c": [\n      [1, 0],\n      [0, 1]\n    ]\n  }\n}');
  });
});
