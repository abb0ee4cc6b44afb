// Particle ula and fb-gaussian against the exact Gaussian laws of the Gaussian schemes (full, non-commuting covariances).
import { describe, expect, it } from 'vitest';
import { createSimulation, moments, positions, specOf, stepped } from './helpers';

const target = { mean: [1, -0.5], cov: [[2, 0.8], [0.8, 1]] };
const init = { mean: [-2, 3], cov: [[0.5, -0.2], [-0.2, 1.5]] };

/** Exact Gaussian law of `kind` after k steps from N(mean0, cov0). */
function exactLaw(kind: string, step: number, k: number, mean0: number[], cov0: number[][]) {
  const sim = createSimulation(specOf({ problem: { kind: 'gaussian-kl', target, init: { mean: mean0, cov: cov0 } }, scheme: { kind, step } }));
  const s = stepped(sim, k);
  if (s.kind !== 'gaussian') throw new Error('expected a Gaussian');
  return { mean: Array.from(s.mean), cov: [[s.cov![0], s.cov![1]], [s.cov![2], s.cov![3]]] };
}

describe('particle schemes against exact Gaussian laws', () => {
  it('fb-gaussian follows the exact forward-backward recursion of its own empirical moments (to round-off)', () => {
    const sim = createSimulation(specOf({ problem: { kind: 'kl', target: { kind: 'gaussian', ...target }, init: { kind: 'gaussian', ...init, particles: 500 } }, scheme: { kind: 'fb-gaussian', step: 0.2 } }));
    const p0 = positions(sim);
    const m0 = moments(p0.x, p0.n, p0.d);
    const s = stepped(sim, 15);
    if (s.kind !== 'particles') throw new Error('particles expected');
    const got = moments(s.positions, p0.n, 2);
    const want = exactLaw('fb', 0.2, 15, m0.mean, m0.cov);
    for (let a = 0; a < 2; a++) {
      expect(got.mean[a]).toBeCloseTo(want.mean[a], 9);
      for (let b = 0; b < 2; b++) expect(got.cov[a][b]).toBeCloseTo(want.cov[a][b], 9);
    }
  });

  it('particle ula matches the exact ULA law within Monte Carlo error (n = 20,000, 5 standard errors)', () => {
    const n = 20_000;
    const g = 0.1;
    const k = 20;
    const sim = createSimulation({ ...specOf({ problem: { kind: 'kl', target: { kind: 'gaussian', ...target }, init: { kind: 'gaussian', ...init, particles: n } }, scheme: { kind: 'ula', step: g } }), seed: 7 });
    const s = stepped(sim, k);
    if (s.kind !== 'particles') throw new Error('particles expected');
    const got = moments(s.positions, n, 2);
    const want = exactLaw('ula', g, k, init.mean, init.cov);
    for (let a = 0; a < 2; a++) {
      // standard error of a mean: sqrt(var / n); of a covariance entry: sqrt((S_aa S_bb + S_ab^2) / n)
      expect(Math.abs(got.mean[a] - want.mean[a])).toBeLessThan(5 * Math.sqrt(want.cov[a][a] / n));
      for (let b = 0; b < 2; b++) {
        const se = Math.sqrt((want.cov[a][a] * want.cov[b][b] + want.cov[a][b] ** 2) / n);
        expect(Math.abs(got.cov[a][b] - want.cov[a][b])).toBeLessThan(5 * se);
      }
    }
    // and the law really moved: far from the initial one
    expect(Math.abs(want.mean[0] - init.mean[0])).toBeGreaterThan(1);
  });
});
