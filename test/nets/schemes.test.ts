// gd, noisy-gd and jko-map against independent answers: a hand recurrence, a closed-form stationary law, the exact
// Gaussian JKO step; and the capability wiring that lets them run on other particle problems.
import { describe, expect, it } from 'vitest';
import { createSimulation, moments, positions, specOf, stepped } from '../particle-schemes/helpers';
import { SCHEMES_FOR_PROBLEM } from '../../src/registry/index';
import { noisyGdParticles } from '../../src/schemes/particles/noisy-gd';
import { particleMeasure } from '../../src/measures/particles';
import { createRng } from '../../src/random';
import type { ProblemInstance } from '../../src/engine/contract';

const rows = [[0.5, -1, 0.3], [1.2, 0.4, -0.7], [-0.3, 0.8, 0.9], [0.1, -0.2, 0.05], [-1.1, 0.6, -0.4]];

describe('gd on a two-layer network', () => {
  it('with m = 1 follows the hand recurrence a <- a - g (2/n) sum r tanh(w.x), w <- w - g (2/n) sum r a (1 - tanh^2) x', () => {
    const g = 0.3;
    const sim = createSimulation(specOf({ problem: { kind: 'two-layer-net', data: { kind: 'csv', rows }, model: { kind: 'mean-field', m: 1, activation: 'tanh' } }, scheme: { kind: 'gd', step: g } }));
    const th = Array.from(positions(sim).x);
    expect(th).toHaveLength(3);
    for (let k = 0; k < 25; k++) {
      const [a, w1, w2] = th;
      let ga = 0, g1 = 0, g2 = 0;
      for (const [x1, x2, y] of rows) {
        const t = Math.tanh(w1 * x1 + w2 * x2);
        const r = a * t - y;
        ga += (2 / rows.length) * r * t;
        g1 += (2 / rows.length) * r * a * (1 - t * t) * x1;
        g2 += (2 / rows.length) * r * a * (1 - t * t) * x2;
      }
      th[0] -= g * ga; th[1] -= g * g1; th[2] -= g * g2;
    }
    const s = stepped(sim, 25);
    if (s.kind !== 'particles') throw new Error('particles expected');
    for (let c = 0; c < 3; c++) expect(s.positions[c]).toBeCloseTo(th[c], 12);
    const row = new Float64Array(sim.metricNames.length);
    sim.measure(25, row, true);
    const [a, w1, w2] = th;
    const R = rows.reduce((acc, [x1, x2, y]) => acc + (a * Math.tanh(w1 * x1 + w2 * x2) - y) ** 2, 0) / rows.length;
    expect(row[sim.metricNames.indexOf('risk')]).toBeCloseTo(R, 12);
    expect(row[sim.metricNames.indexOf('objective')]).toBeCloseTo(R, 12);
  });

  it('relu-2homogeneous with weight decay: one gd step is u - g (grad dR/dmu + 2 lambda u), starting on the sphere of radius r0 with alternating signs', () => {
    const lambda = 0.05, r0 = 0.7, g = 0.1;
    const sim = createSimulation(specOf({ problem: { kind: 'two-layer-net', data: { kind: 'csv', rows }, model: { kind: 'relu-2homogeneous', m: 6, r0, weight_decay: lambda } }, scheme: { kind: 'gd', step: g } }));
    const p0 = positions(sim);
    expect(p0.d).toBe(4);
    for (let i = 0; i < 6; i++) {
      const u = p0.x.subarray(i * 4, i * 4 + 4);
      expect(Math.hypot(...u)).toBeCloseTo(r0, 12);
      expect(Math.sign(u[0])).toBe(i % 2 === 0 ? 1 : -1);
    }
    const u0 = Array.from(p0.x);
    const f = (x: number[]) => u0.reduce((s, _, i) => (i % 4 === 0 ? s + (u0[i] * Math.max(0, u0[i + 1] * x[0] + u0[i + 2] * x[1] + u0[i + 3])) / 6 : s), 0);
    const want = u0.slice();
    for (let i = 0; i < 6; i++) {
      const [b, a1, a2, a3] = u0.slice(i * 4, i * 4 + 4);
      const grad = [0, 0, 0, 0];
      for (const [x1, x2, y] of rows) {
        const r = f([x1, x2]) - y, z = a1 * x1 + a2 * x2 + a3, on = z > 0 ? 1 : 0;
        grad[0] += (2 / 5) * r * Math.max(z, 0);
        grad[1] += (2 / 5) * r * b * on * x1;
        grad[2] += (2 / 5) * r * b * on * x2;
        grad[3] += (2 / 5) * r * b * on;
      }
      for (let c = 0; c < 4; c++) want[i * 4 + c] -= g * (grad[c] + 2 * lambda * u0[i * 4 + c]);
    }
    const s = stepped(sim, 1);
    if (s.kind !== 'particles') throw new Error('particles expected');
    want.forEach((v, k) => expect(s.positions[k]).toBeCloseTo(v, 12));
  });
});

describe('noisy-gd', () => {
  it('on a quadratic energy reaches the stationary law N(b, 2 tau / (a (2 - g a))) per axis (closed form of the linear recursion)', () => {
    // E(mu) = int sum_c a_c (x_c - b_c)^2 / 2 dmu: grad dE/dmu = a (x - b); x <- (1 - g a) x + g a b + sqrt(2 g tau) z
    const a = [1, 4], b = [0.5, -1], g = 0.1, tau = 0.3, n = 20_000, d = 2;
    const mu0 = particleMeasure(new Float64Array(n * d).fill(3), n, d);
    const grad = (_mu: unknown, at: Float64Array, nAt: number, out: Float64Array): void => {
      for (let i = 0; i < nAt; i++) for (let c = 0; c < d; c++) out[i * d + c] = a[c] * (at[i * d + c] - b[c]);
    };
    const problem: ProblemInstance<'particles'> = { init: mu0, caps: { firstVariation: { gradFirstVariation: grad } }, metrics: [], evaluate() {} };
    const stepper = noisyGdParticles.create({ kind: 'noisy-gd', step: g, tau }, problem, mu0, createRng(9));
    for (let k = 0; k < 300; k++) stepper.step(mu0, k);
    const m = moments(mu0.x, n, d);
    for (let c = 0; c < d; c++) {
      const v = (2 * tau) / (a[c] * (2 - g * a[c]));
      expect(Math.abs(m.mean[c] - b[c])).toBeLessThan(5 * Math.sqrt(v / n));
      expect(Math.abs(m.cov[c][c] - v)).toBeLessThan(5 * v * Math.sqrt(2 / n));
    }
    expect(Math.abs(m.cov[0][1])).toBeLessThan(5 * Math.sqrt((2 * tau) / (a[0] * (2 - g * a[0])) * (2 * tau) / (a[1] * (2 - g * a[1])) / n));
  });

  it('records objective = E - tau h on a two-layer net, and runs on mmd (firstVariation) where gd, noisy-gd and jko-map fit', () => {
    const sim = createSimulation(specOf({ problem: { kind: 'two-layer-net', data: { kind: 'linear', p: 2, n: 20, n_test: 10 }, model: { kind: 'mean-field', m: 30 } }, scheme: { kind: 'noisy-gd', step: 0.1, tau: 0.01 } }));
    for (let k = 0; k < 5; k++) sim.step(k);
    const row = new Float64Array(sim.metricNames.length);
    sim.measure(5, row, true);
    const at = (name: string) => row[sim.metricNames.indexOf(name)];
    expect(sim.metricNames).toEqual(['risk', 'test_risk', 'entropy', 'objective']);
    expect(at('objective')).toBeCloseTo(at('risk') - 0.01 * at('entropy'), 12);
    expect(SCHEMES_FOR_PROBLEM['two-layer-net']).toEqual(expect.arrayContaining(['gd', 'noisy-gd', 'jko-map']));
    expect(SCHEMES_FOR_PROBLEM.mmd).toEqual(expect.arrayContaining(['gd', 'noisy-gd', 'jko-map']));
    expect(SCHEMES_FOR_PROBLEM.kl).toContain('jko-map');
    expect(SCHEMES_FOR_PROBLEM.kl).not.toContain('gd');
  });
});

describe('jko-map', () => {
  it('on kl with a Gaussian target stays within 3% (relative Frobenius) of the exact Gaussian JKO covariance after 10 steps', () => {
    const target = { mean: [1, -0.5], cov: [[2, 0.8], [0.8, 1]] };
    const init = { mean: [-1, 1], cov: [[0.5, -0.2], [-0.2, 0.8]] };
    const g = 0.5;
    const sim = createSimulation({ ...specOf({ problem: { kind: 'kl', target: { kind: 'gaussian', ...target }, init: { kind: 'gaussian', ...init, particles: 200 } }, scheme: { kind: 'jko-map', step: g, hidden: 32, lr: 0.01, inner_iterations: 100 } }), seed: 3 });
    const p0 = positions(sim);
    const m0 = moments(p0.x, p0.n, 2);
    const exact = createSimulation(specOf({ problem: { kind: 'gaussian-kl', target, init: { mean: m0.mean, cov: m0.cov } }, scheme: { kind: 'jko', step: g } }));
    const e = stepped(exact, 10);
    const s = stepped(sim, 10);
    if (s.kind !== 'particles' || e.kind !== 'gaussian') throw new Error('kinds');
    const got = moments(s.positions, 200, 2);
    let num = 0, den = 0, moved = 0;
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) {
      num += (got.cov[a][b] - e.cov![a * 2 + b]) ** 2;
      den += e.cov![a * 2 + b] ** 2;
      moved += (m0.cov[a][b] - e.cov![a * 2 + b]) ** 2;
    }
    expect(Math.sqrt(num / den)).toBeLessThan(0.03);
    expect(Math.sqrt(moved / den)).toBeGreaterThan(0.3); // the law really moved: the test can fail
    for (let a = 0; a < 2; a++) expect(Math.abs(got.mean[a] - e.mean[a])).toBeLessThan(0.02);
    expect(sim.warning?.()).toBeUndefined();
    const row = new Float64Array(sim.metricNames.length);
    sim.measure(10, row, true);
    const at = (name: string) => row[sim.metricNames.indexOf(name)];
    expect(at('inner_loss_last')).toBeLessThan(at('inner_loss_first'));
    expect(at('min_abs_det')).toBeGreaterThan(0);
  });

  it('on a two-layer net decreases its inner loss and the risk, and reports a step whose loss did not decrease', () => {
    const problem = { kind: 'two-layer-net', data: { kind: 'linear', p: 2, n: 30 }, model: { kind: 'mean-field', m: 20 } };
    const sim = createSimulation(specOf({ problem, scheme: { kind: 'jko-map', step: 0.1, tau: 0.01, hidden: 16, lr: 0.002, inner_iterations: 30 } }));
    const row = new Float64Array(sim.metricNames.length);
    sim.measure(0, row, true);
    const risk0 = row[0];
    for (let k = 0; k < 5; k++) sim.step(k);
    sim.measure(5, row, true);
    expect(row[0]).toBeLessThan(risk0);
    expect(row[sim.metricNames.indexOf('inner_loss_last')]).toBeLessThan(row[sim.metricNames.indexOf('inner_loss_first')]);
    expect(sim.warning?.()).toBeUndefined();
    // an absurd learning rate: the inner loss blows up and the run says so
    const bad = createSimulation(specOf({ problem, scheme: { kind: 'jko-map', step: 0.1, hidden: 16, lr: 50, inner_iterations: 5, optimizer: 'gd' } }));
    bad.step(0);
    expect(bad.warning?.()).toMatch(/did not decrease in 1 of 1 steps/);
  });
});
