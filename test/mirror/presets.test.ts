// The Bonet et al. presets validate, expand to the runs they describe, and (matching) start decreasing through the engine.
import { describe, expect, it } from 'vitest';
import { MIRROR_PRESETS } from '../../src/presets/mirror';
import { PRESETS } from '../../src/presets/index';
import { parseSetup } from '../../src/setup/schema';
import { createSimulation } from '../../src/engine/registry';
import { driveSimulation } from '../../src/engine/run';
import type { MetricBatch } from '../../src/engine/types';

describe('Bonet et al. presets', () => {
  it('are registered, have ids, titles, descriptions and sources, and validate', () => {
    expect(MIRROR_PRESETS.map((p) => p.id)).toEqual(['mirror-interaction-bonet-fig1', 'mirror-gaussians-bonet-fig2', 'pgd-distribution-matching-bonet']);
    for (const p of MIRROR_PRESETS) {
      expect(PRESETS).toContain(p);
      expect(p.id).toMatch(/^[a-z0-9-]+$/);
      expect(p.description.length).toBeGreaterThan(100);
      const parsed = parseSetup(p.setup);
      expect(parsed.ok ? [] : parsed.issues).toEqual([]);
    }
  });

  it('distribution matching: 3 objectives x (gd, pgd) on two 200-point clouds in d = 10; 3 engine steps each decrease the objective', () => {
    const p = MIRROR_PRESETS.find((x) => x.id === 'pgd-distribution-matching-bonet')!;
    const parsed = parseSetup(p.setup);
    if (!parsed.ok) throw new Error('invalid');
    const runs = parsed.value.runs;
    expect(runs.map((r) => `${(r.spec.problem as { divergence: { kind: string } }).divergence.kind}/${r.spec.scheme.kind}`)).toEqual(['sliced/gd', 'sliced/pgd', 'sinkhorn/gd', 'sinkhorn/pgd', 'energy/gd', 'energy/pgd']);
    for (const run of runs) {
      const sim = createSimulation(run.spec);
      const batches: MetricBatch[] = [];
      const outcome = driveSimulation(sim, { iterations: 3, onBatch: (b) => batches.push(b) });
      expect(outcome.status).toBe('done');
      const m = sim.metricNames.length;
      const obj = batches.flatMap((b) => Array.from({ length: b.iterations.length }, (_, r) => b.values[r * m]));
      expect(obj[3]).toBeLessThan(0.8 * obj[0]);
      const snap = sim.snapshot!(3);
      expect(snap.kind === 'particles' && snap.dim).toBe(10);
    }
  });
});
