// Grid problems: setup checks name the field, a capped inner solve is reported (metric + warning), crowd motion
// respects its congestion cap, snapshots carry the grid.
import { describe, expect, it } from 'vitest';
import { parseSetup } from '../../src/setup/schema';
import { drive } from './helpers';

const fp = { kind: 'fokker-planck', grid: { shape: [100], lo: [-5], hi: [5] }, centre: [0], init: { kind: 'gaussian', mean: [-1], cov: [[0.5]] } };

describe('grid problems', () => {
  it('a step that hits the inner cap is reported, not hidden', () => {
    const r = drive(fp, { kind: 'entropic-jko', step: 0.1, gamma: 0.01, max_inner: 3 }, 2);
    expect(r.metrics[1].inner_capped).toBe(1);
    expect(r.metrics[1].inner_iterations).toBe(3);
    expect(r.metrics[1].marginal_error).toBeGreaterThan(1e-9);
    expect(r.sim.warning!()).toMatch(/hit the cap of 3 iterations at 2 step\(s\)/);
    expect(r.metrics[2].mass_error).toBeLessThan(1e-14); // mass is exact even for a capped step
  });

  it('crowd motion: the density stays under the cap while the crowd moves to the exit', () => {
    const r = drive({ kind: 'crowd-motion', grid: { shape: [30, 30], lo: [0, 0], hi: [1, 1] }, target: [0.9, 0.5], cap: 4, entropy: 0, init: { kind: 'box', lo: [0.05, 0.25], hi: [0.55, 0.75] } },
      { kind: 'entropic-jko', step: 0.05, gamma: 0.004 }, 6);
    for (const row of r.metrics) {
      expect(row.density_over_cap).toBeLessThan(1 + 1e-6);
      expect(row.mass_error).toBeLessThan(1e-13);
    }
    expect(r.metrics[6].objective).toBeLessThan(r.metrics[0].objective - 0.01);
    expect(r.metrics[6].density_over_cap).toBeGreaterThan(0.99); // congested at the exit
    const s = r.sim.snapshot!(6);
    expect(s.kind === 'grid' && s.shape).toEqual([30, 30]);
  });

  it.each([
    [{ ...fp, centre: [0, 0] }, /^problem\.centre: needs 1 entries/],
    [{ ...fp, grid: { shape: [10, 10], lo: [0], hi: [1, 1] } }, /^problem\.grid\.lo: needs 2 entries/],
    [{ ...fp, grid: { shape: [10], lo: [1], hi: [0] } }, /^problem\.grid\.hi\[0\]: must be > lo\[0\]/],
    [{ ...fp, init: { kind: 'gaussian', mean: [0], cov: [[-1]] } }, /^problem\.init\.cov: must be symmetric positive definite/],
    [{ kind: 'porous-medium', grid: { shape: [10], lo: [0], hi: [1] }, m: 2, init: { kind: 'barenblatt', m: 3 } }, /^problem\.init\.m: must equal problem m = 2/],
    [{ kind: 'crowd-motion', grid: { shape: [10], lo: [0], hi: [1] }, target: [1], cap: 0.5, init: { kind: 'box', lo: [0], hi: [0.5] } }, /^problem\.cap: kappa x box volume/],
  ])('rejects bad input with the field path (%#)', (problem, re) => {
    const r = parseSetup({ name: 't', iterations: 1, problem, scheme: { kind: 'entropic-jko', step: 0.1, gamma: 0.01 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toMatch(re);
  });
});
