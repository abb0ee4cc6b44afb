// Presets validate, expand and run through the engine; divergence is reported by the engine.
import { describe, expect, it } from 'vitest';
import { GAUSSIAN_PRESETS } from '../../src/presets/gaussian';
import { parseSetup, type RunSpec } from '../../src/setup/schema';
import { createSimulation } from '../../src/engine/registry';
import { driveSimulation } from '../../src/engine/run';
import type { MetricBatch, RunOutcome } from '../../src/engine/types';
import type { GaussianKlProblem } from '../../src/problems/gaussian-kl/schema';
import { createGaussianKlSimulation, problem } from './helpers';

function drive(spec: Pick<RunSpec, 'problem' | 'scheme' | 'iterations'>, forceDense = false): { outcome: RunOutcome; names: readonly string[]; last: Record<string, number>; rows: number } {
  const sim = createGaussianKlSimulation(spec.problem as GaussianKlProblem, spec.scheme, 0, { forceDense });
  const batches: MetricBatch[] = [];
  const outcome = driveSimulation(sim, { iterations: spec.iterations, onBatch: (b) => batches.push(b) });
  const lastBatch = batches[batches.length - 1];
  const m = sim.metricNames.length;
  const r = lastBatch.iterations.length - 1;
  const last = Object.fromEntries(sim.metricNames.map((n, j) => [n, lastBatch.values[r * m + j]]));
  return { outcome, names: sim.metricNames, last, rows: batches.reduce((s, b) => s + b.iterations.length, 0) };
}

describe('Gaussian presets', () => {
  it('have unique stable ids, titles, descriptions and sources, and validate with parseSetup', () => {
    const ids = GAUSSIAN_PRESETS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of GAUSSIAN_PRESETS) {
      expect(p.id).toMatch(/^[a-z0-9-]+$/);
      expect(p.title.length).toBeGreaterThan(0);
      expect(p.description.length).toBeGreaterThan(20);
      expect(p.source.length).toBeGreaterThan(0);
      const parsed = parseSetup(p.setup);
      expect(parsed.ok ? [] : parsed.issues).toEqual([]);
    }
  });

  it('JKO on Gaussians (d = 2) converges linearly within its declared bound', () => {
    const p = GAUSSIAN_PRESETS.find((x) => x.id === 'gaussian-jko-zhu-4-1')!;
    const parsed = parseSetup(p.setup);
    if (!parsed.ok) throw new Error('invalid preset');
    const [run] = parsed.value.runs;
    const { outcome, last } = drive(run.spec);
    expect(outcome.status).toBe('done');
    expect(last.w2sq).toBeLessThan(last.bound_w2sq);
    expect(last.kl).toBeLessThan(1e-3);
  });

  it.each(['gaussian-fb-vs-ula-1d-salim', 'gaussian-fb-vs-ula-1000d-salim'])('%s: fb converges to pi, ULA keeps its bias d (sqrt(2/(2-g)) - 1)^2', (id) => {
    const p = GAUSSIAN_PRESETS.find((x) => x.id === id)!;
    const parsed = parseSetup(p.setup);
    if (!parsed.ok) throw new Error('invalid preset');
    const runs = parsed.value.runs;
    expect(runs.map((r) => r.spec.scheme.kind)).toEqual(['fb', 'ula', 'forward']);
    for (const run of runs) {
      const sim = createSimulation(run.spec);
      const batches: MetricBatch[] = [];
      const outcome = driveSimulation(sim, { iterations: run.spec.iterations, onBatch: (b) => batches.push(b) });
      expect(outcome).toEqual({ status: 'done', lastIteration: run.spec.iterations });
      const b = batches[batches.length - 1];
      const m = sim.metricNames.length;
      const r = b.iterations.length - 1;
      const w2 = b.values[r * m + sim.metricNames.indexOf('w2sq')];
      const d = (run.spec.problem as GaussianKlProblem).target.mean.length;
      const g = run.spec.scheme.step;
      if (run.spec.scheme.kind === 'ula') {
        expect(w2).toBeGreaterThan(0.9 * d * (Math.sqrt(2 / (2 - g)) - 1) ** 2);
      } else {
        expect(w2).toBeLessThan(1e-10 * d);
      }
    }
  });
});

describe('divergence', () => {
  it.each([false, true])('forward with a huge step produces a non-finite metric and the engine marks the run diverged (forceDense = %s)', (forceDense) => {
    const p = problem([0, 0], [[1, 0], [0, 2]], [1, -1], [[2, 0], [0, 3]]);
    const { outcome } = drive({ problem: p, scheme: { kind: 'forward', step: 1000 }, iterations: 1000 }, forceDense);
    expect(outcome.status).toBe('diverged');
    expect(outcome.message).toMatch(/became (NaN|Infinity|-Infinity) at iteration \d+/);
    expect(outcome.lastIteration).toBeGreaterThanOrEqual(0);
  });

  it('ula with g > 2/L diverges; jko never does', () => {
    const p = problem([0], [[1]], [1], [[2]]);
    expect(drive({ problem: p, scheme: { kind: 'ula', step: 2.5 }, iterations: 5000 }).outcome.status).toBe('diverged');
    expect(drive({ problem: p, scheme: { kind: 'jko', step: 1e6 }, iterations: 100 }).outcome.status).toBe('done');
  });

  it('a non-commuting dense run with a huge forward step diverges too', () => {
    const p = problem([0, 0], [[2, 0.9], [0.9, 1]], [4, 3], [[1, -0.6], [-0.6, 3]]);
    const { outcome } = drive({ problem: p, scheme: { kind: 'forward', step: 50 }, iterations: 2000 });
    expect(outcome.status).toBe('diverged');
  });
});
