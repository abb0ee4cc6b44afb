// Particle setups as the issue writes them, their errors, the registry's derived compatibility, and the presets.
import { describe, expect, it } from 'vitest';
import { parseSetup } from '../../src/setup/schema';
import { SCHEMES_FOR_PROBLEM, SchemeSchema } from '../../src/registry/index';
import { z } from 'zod';
import { PARTICLE_PRESETS } from '../../src/presets/particles';

const example = {
  name: 'svgd demo',
  problem: {
    kind: 'kl',
    target: { kind: 'mixture', weights: [0.3, 0.7], means: [[-2, 0], [2, 1]], covs: [[[1, 0.3], [0.3, 0.5]], [[1, 0], [0, 1]]] },
    init: { kind: 'points', points: [[0.1, 0.2], [-0.3, 0.5], [1.2, -0.4]] },
  },
  scheme: { kind: 'svgd', step: 0.05, bandwidth: 'median' },
  iterations: 100, seeds: [0], snapshots: { every: 10 },
};

const issuesOf = (setup: unknown): string[] => {
  const r = parseSetup(setup);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('particle setups', () => {
  it('accepts the documented example exactly as written', () => {
    const r = parseSetup(example);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.runs).toHaveLength(1);
    expect(r.value.runs[0].spec.snapshots).toEqual({ every: 10 });
    expect(r.value.runs[0].spec.problem).toMatchObject({ kind: 'kl', entropy_k: 3 });
  });

  it('accepts the other documented target and init forms and the mmd problem', () => {
    const gaussian = { kind: 'gaussian', mean: [0, 0], cov: { diag: [1, 2] } };
    const banana = { kind: 'banana', a: 1, b: 0.5, scales: [1, 0.5] };
    const init = { kind: 'gaussian', mean: [0, 0], cov: [[1, 0], [0, 1]], particles: 2000 };
    for (const target of [gaussian, { ...gaussian, cov: [[1, 0.2], [0.2, 1]] }, banana]) {
      expect(issuesOf({ ...example, problem: { kind: 'kl', target, init } })).toEqual([]);
    }
    expect(issuesOf({ ...example, problem: { kind: 'mmd', target: banana, init, s: 0.5, sample_size: 300 }, scheme: { kind: 'mmd-flow', step: 1, beta: 0.1 } })).toEqual([]);
    expect(issuesOf({ ...example, problem: { kind: 'mmd', target: { kind: 'points', points: [[0, 1], [1, 0]] }, init, s: 1 }, scheme: { kind: 'mmd-flow', step: 1 } })).toEqual([]);
  });

  it('names the field and what is allowed for bad targets, inits and scheme pairings', () => {
    const bad = (problem: Record<string, unknown>, scheme: Record<string, unknown> = example.scheme) => issuesOf({ ...example, problem: { ...example.problem, ...problem }, scheme });
    expect(bad({ target: { ...example.problem.target, weights: [0.3, 0.6] } })).toEqual(['problem.target.weights: sum to 0.9; they must sum to 1']);
    expect(bad({ target: { ...example.problem.target, covs: [[[1, 2], [2, 1]], [[1, 0], [0, 1]]] } })).toEqual(['problem.target.covs[0]: must be symmetric positive definite (symmetric, with all eigenvalues > 0)']);
    expect(bad({ target: { ...example.problem.target, means: [[-2, 0, 1], [2, 1]] } })[0]).toMatch(/^problem\.target\.means\[1\]: has length 2, but the dimension is d = 3/);
    expect(bad({ init: { kind: 'points', points: [[0, 1], [1, 2, 3]] } })).toEqual(['problem.init.points[1]: has 3 coordinates, but the target\'s dimension is d = 2']);
    expect(bad({ init: { kind: 'gaussian', mean: [0, 0], cov: [[1, 0], [0, 1]] } })[0]).toMatch(/^problem\.init\.particles: /);
    expect(bad({}, { kind: 'jko', step: 0.1 })[0]).toMatch(/^scheme\.kind: scheme "jko" does not support problem "kl"; allowed: "ula", "mala", "svgd", "forward-kde", "fb-gaussian"/);
    expect(bad({}, { kind: 'svgd', step: 0.1, bandwidth: -1 })[0]).toMatch(/^scheme\.bandwidth: /);
    expect(issuesOf({ ...example, iterations: 5000, snapshots: { every: 1 } })).toEqual(['snapshots.every: gives 5002 snapshots for 5000 iterations; at most 1000 per run are allowed: use every >= 6']);
  });

  it('derives which schemes fit which problem from capabilities, and one schema per scheme kind', () => {
    expect(SCHEMES_FOR_PROBLEM['gaussian-kl']).toEqual(['forward', 'ula', 'fb', 'jko', 'nem', 'pfb']);
    expect(SCHEMES_FOR_PROBLEM.kl).toEqual(['ula', 'mala', 'svgd', 'forward-kde', 'fb-gaussian', 'jko-map']);
    expect(SCHEMES_FOR_PROBLEM.mmd).toEqual(['mmd-flow', 'gd', 'pgd', 'mirror', 'noisy-gd', 'jko-map']);
    expect(SCHEMES_FOR_PROBLEM.interaction).toEqual(['mmd-flow', 'gd', 'pgd', 'mirror', 'noisy-gd']);
    expect(SCHEMES_FOR_PROBLEM.matching).toEqual(['mmd-flow', 'gd', 'pgd', 'mirror', 'noisy-gd']);
    const kinds = (z.toJSONSchema(SchemeSchema) as { oneOf?: { properties: { kind: { const: string } } }[]; anyOf?: { properties: { kind: { const: string } } }[] });
    const variants = (kinds.oneOf ?? kinds.anyOf)!.map((v) => v.properties.kind.const);
    expect(variants.filter((k) => k === 'ula')).toHaveLength(1);
  });

  it('ships presets that validate, each with a source and a description stating its parameters', () => {
    for (const p of PARTICLE_PRESETS) {
      expect(issuesOf(p.setup), p.id).toEqual([]);
      expect(p.id).toMatch(/^[a-z0-9-]+$/);
      expect(p.source.length).toBeGreaterThan(10);
      expect(p.description).toMatch(/\d/);
    }
  });
});

describe('seed warnings', () => {
  it('warn when seeds cannot change the runs, and only then', () => {
    const warningsOf = (setup: unknown) => {
      const r = parseSetup(setup);
      if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('; '));
      return r.value.warnings.map((w) => `${w.path}: ${w.message}`);
    };
    const gaussian = { name: 'g', problem: { kind: 'gaussian-kl', target: { mean: [0], cov: [[1]] }, init: { mean: [1], cov: [[2]] } }, scheme: { kind: 'fb', step: 0.1 }, iterations: 5 };
    expect(warningsOf({ ...gaussian, seeds: [0, 1, 2], sweep: { 'scheme.step': [0.1, 0.2] } })).toEqual(['seeds: seeds have no effect for this problem and scheme: 6 runs, 2 distinct (use one seed)']);
    expect(warningsOf({ ...gaussian, seeds: [0] })).toEqual([]);
    expect(warningsOf({ ...example, seeds: [0, 1] })).toHaveLength(1); // svgd from given points
    expect(warningsOf({ ...example, seeds: [0, 1], scheme: { kind: 'ula', step: 0.1 } })).toEqual([]); // ULA noise
    expect(warningsOf({ ...example, seeds: [0, 1], problem: { ...example.problem, init: { kind: 'gaussian', mean: [0, 0], cov: { diag: [1, 1] }, particles: 10 } } })).toEqual([]);
  });
});

import { runParams } from '../../src/setup/params';

describe('run parameters', () => {
  it('flatten the scheme and scalar sweep values; a swept whole object shows as its fields', () => {
    const r = parseSetup(PARTICLE_PRESETS.find((p) => p.id === 'svgd-mixture-1d-liu-wang')!.setup);
    if (!r.ok) throw new Error('invalid preset');
    const params = r.value.runs.map((run) => runParams(run.spec, run.sweepValues));
    expect(params[0]).toEqual({ 'scheme.kind': 'svgd', 'scheme.step': 0.5, 'scheme.bandwidth': 'median', 'scheme.optimizer': 'plain', 'problem.kind': 'kl', iterations: 500, seed: 0 });
    expect(params[1]).toEqual({ 'scheme.kind': 'ula', 'scheme.step': 0.05, 'problem.kind': 'kl', iterations: 500, seed: 0 });
  });
});
