// Every grid preset parses and every run it expands to takes two steps with mass conserved.
import { describe, expect, it } from 'vitest';
import { GRID_PRESETS } from '../../src/presets/grids';
import { parseSetup } from '../../src/setup/schema';
import { createSimulation } from '../../src/engine/registry';

describe('grid presets', () => {
  it.each(GRID_PRESETS.map((p) => [p.id, p] as const))('%s', (_id, preset) => {
    const r = parseSetup(preset.setup);
    if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
    for (const run of r.value.runs) {
      const sim = createSimulation(run.spec);
      const out = new Float64Array(sim.metricNames.length);
      sim.measure(0, out, true);
      sim.step(0);
      sim.measure(1, out, true);
      expect(out.every((v) => Number.isFinite(v))).toBe(true);
      expect(out[sim.metricNames.indexOf('mass_error')]).toBeLessThan(1e-13);
      expect(sim.snapshot!(1).kind).toBe('grid');
    }
  });
});
