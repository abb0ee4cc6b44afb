// The network presets parse, expand to the runs their descriptions name, and (small pieces of them) show the effect.
import { describe, expect, it } from 'vitest';
import { NET_PRESETS } from '../../src/presets/nets';
import { PRESETS } from '../../src/presets/index';
import { parseSetup } from '../../src/setup/schema';
import { createSimulation } from '../../src/engine/registry';

const runsOf = (id: string) => {
  const p = NET_PRESETS.find((x) => x.id === id)!;
  const r = parseSetup(p.setup);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return r.value.runs;
};

describe('network presets', () => {
  it('are registered with unique ids and expand to 4 / 40 / 1 / 1 runs', () => {
    const ids = PRESETS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of NET_PRESETS) expect(ids).toContain(p.id);
    expect(runsOf('zhu-forward-backward-noise')).toHaveLength(4);
    expect(runsOf('chizat-bach-width-global-convergence')).toHaveLength(40);
    expect(runsOf('jko-map-gaussian-target')).toHaveLength(1);
    expect(runsOf('jko-exact-gaussian-reference')).toHaveLength(1);
  });

  it('Zhu: with weight decay noisy-gd levels off above plain gd in risk (Fig. 2 shape), both objectives bounded', () => {
    const [gd, noisy] = runsOf('zhu-forward-backward-noise').slice(0, 2).map((run) => {
      const sim = createSimulation(run.spec);
      for (let k = 0; k < 300; k++) sim.step(k);
      const row = new Float64Array(sim.metricNames.length);
      sim.measure(300, row, true);
      return Object.fromEntries(sim.metricNames.map((n, j) => [n, row[j]]));
    });
    expect(gd.risk).toBeLessThan(0.2);
    expect(noisy.risk).toBeGreaterThan(gd.risk);
    expect(noisy.objective).toBeGreaterThan(0);
    expect(noisy.objective).toBeLessThan(noisy.energy);
  });
});
