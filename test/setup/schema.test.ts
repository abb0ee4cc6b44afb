import { describe, expect, it } from 'vitest';
import { countRuns, parseRunSpec, parseSetup, type SetupInput } from '../../src/setup/schema';
import { formatIssue } from '../../src/setup/issues';

const example = {
  name: 'demo',
  problem: { kind: 'gaussian-kl', target: { mean: [0, 0], cov: [[1, 0], [0, 1]] }, init: { mean: [0, 0], cov: [[100, 0], [0, 100]] } },
  scheme: { kind: 'jko', step: 0.1 },
  iterations: 50,
  seeds: [0, 1],
  sweep: { 'scheme.step': [0.05, 0.1], 'scheme.kind': ['fb', 'jko'] },
} satisfies SetupInput;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function issuesOf(input: unknown): string[] {
  const r = parseSetup(input);
  if (r.ok) throw new Error('expected the setup to be rejected');
  return r.issues.map(formatIssue);
}

describe('setup files', () => {
  it('accepts the documented example and expands sweep x seeds in order', () => {
    const r = parseSetup(example);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { runs, setup } = r.value;
    expect(countRuns(setup)).toBe(8);
    expect(runs).toHaveLength(8);
    expect(runs.map((x) => [x.spec.scheme.step, x.spec.scheme.kind, x.spec.seed])).toEqual([
      [0.05, 'fb', 0], [0.05, 'fb', 1], [0.05, 'jko', 0], [0.05, 'jko', 1],
      [0.1, 'fb', 0], [0.1, 'fb', 1], [0.1, 'jko', 0], [0.1, 'jko', 1],
    ]);
    // A run's spec has the setup file's field names, with the sweep values applied.
    expect(Object.keys(runs[0].spec).sort()).toEqual(['divergence_factor', 'iterations', 'metrics_every', 'name', 'problem', 'scheme', 'seed']);
    expect(runs[0].spec.problem).toEqual(example.problem);
    expect(runs[0].sweepValues).toEqual({ 'scheme.step': 0.05, 'scheme.kind': 'fb' });
    expect(runs[3].label).toBe('jko, scheme.step=0.05, seed 1');
    expect(parseRunSpec(runs[5].spec).ok).toBe(true);
  });

  it('fills defaults: one seed 0 and no sweep', () => {
    const input: Record<string, unknown> = clone(example);
    delete input.seeds;
    delete input.sweep;
    const r = parseSetup(input);
    expect(r.ok && r.value.runs.map((x) => x.spec.seed)).toEqual([0]);
  });

  it('accepts diagonal covariances written as {"diag": [...]}', () => {
    const s = clone(example) as Record<string, any>;
    s.problem.init.cov = { diag: [4, 9] };
    expect(parseSetup(s).ok).toBe(true);
  });

  const cases: [string, (s: Record<string, any>) => unknown, RegExp][] = [
    ['a missing field', (s) => { delete s.iterations; return s; }, /^iterations: is required/],
    ['an unknown field', (s) => { s.scheme.stepp = 1; return s; }, /^scheme\.stepp: unknown field; allowed fields here: kind, step$/],
    ['an unknown kind', (s) => { s.scheme.kind = 'svgdd'; return s; }, /^scheme\.kind: unknown kind "svgdd"; allowed: "forward", "ula", "fb", "jko", "mala", "svgd", "forward-kde", "mmd-flow", "fb-gaussian", "gd", "pgd", "mirror", "nem", "pfb"(, "[^"]+")*$/],
    ['a wrong type', (s) => { s.iterations = '50'; return s; }, /^iterations: must be (a number|an integer), got "50"$/],
    ['a negative step', (s) => { s.scheme.step = -0.1; return s; }, /^scheme\.step: must be > 0, got -0\.1$/],
    ['zero iterations', (s) => { s.iterations = 0; return s; }, /^iterations: must be > 0, got 0$/],
    ['a covariance that is not SPD', (s) => { s.problem.target.cov = [[1, 2], [2, 1]]; return s; }, /^problem\.target\.cov: must be symmetric positive definite/],
    ['a covariance that is not symmetric', (s) => { s.problem.init.cov = [[1, 0.5], [0, 1]]; return s; }, /^problem\.init\.cov: must be symmetric positive definite/],
    ['dimensions that disagree', (s) => { s.problem.init.mean = [0, 0, 0]; return s; }, /^problem\.init\.mean: has length 3, but the dimension is d = 2/],
    ['a sweep path that does not exist', (s) => { s.sweep['scheme.stp'] = [1]; return s; }, /^sweep\["scheme\.stp"\]: field path does not exist in the setup; sweepable paths: .*scheme\.step/],
    ['a sweep value that is invalid', (s) => { s.sweep['scheme.step'] = [0.1, -2]; return s; }, /^scheme\.step: must be > 0, got -2 \(in the run with scheme\.step=-2, scheme\.kind="fb"\)$/],
    ['not an object', () => [1, 2], /must be an object/],
  ];
  for (const [what, mutate, pattern] of cases) {
    it(`rejects ${what} with a line naming the field`, () => {
      const lines = issuesOf(mutate(clone(example) as Record<string, any>));
      expect(lines.some((l) => pattern.test(l)), lines.join('\n')).toBe(true);
    });
  }

  it('reports every problem of a setup at once, one line each', () => {
    const s = clone(example) as Record<string, any>;
    s.scheme.step = -1;
    s.iterations = -3;
    s.problem.target.cov = [[1, 2], [2, 1]];
    s.sweep['scheme.nope'] = [1];
    const lines = issuesOf(s);
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(['iterations', 'problem.target.cov', 'scheme.step', 'sweep["scheme.nope"]']);
  });

  it('refuses a setup that expands to too many runs', () => {
    const s = clone(example) as Record<string, any>;
    s.seeds = Array.from({ length: 200 }, (_, i) => i);
    s.sweep = { 'scheme.step': Array.from({ length: 100 }, (_, i) => 0.01 * (i + 1)) };
    expect(issuesOf(s)[0]).toMatch(/^sweep: expands to 20000 runs/);
  });
});
