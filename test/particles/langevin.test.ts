// ULA against the exact one-step Gaussian law; MALA leaves the target invariant (chains started from pi keep its
// moments) where ULA drifts by its known bias. Tolerances: 5 Monte Carlo standard errors.
import { describe, expect, it } from 'vitest';
import { createLangevinWorkspace, malaStep, ulaStep } from '../../src/particles/langevin';
import { createTarget } from '../../src/particles/targets';
import { createRng } from '../../src/random';

function moments(x: Float64Array, n: number, d: number): { mean: number[]; cov: number[][]; se: number[][] } {
  const mean = Array.from({ length: d }, (_, t) => { let s = 0; for (let i = 0; i < n; i++) s += x[i * d + t]; return s / n; });
  const cov: number[][] = [], se: number[][] = [];
  for (let r = 0; r < d; r++) {
    cov.push([]); se.push([]);
    for (let c = 0; c < d; c++) {
      let p = 0, p2 = 0;
      for (let i = 0; i < n; i++) { const q = (x[i * d + r] - mean[r]) * (x[i * d + c] - mean[c]); p += q; p2 += q * q; }
      cov[r].push(p / n); se[r].push(Math.sqrt((p2 / n - (p / n) ** 2) / n));
    }
  }
  return { mean, cov, se };
}

describe('ulaStep', () => {
  it('one step maps N(m0, S0) to N(mu + B (m0 - mu), B S0 B^T + 2 g I), B = I - g Q, on a full-covariance Gaussian target', () => {
    const mu = [1, -1], Sig = [[1, 0.6], [0.6, 0.8]], g = 0.2, n = 200_000;
    const det = 1 * 0.8 - 0.36, Q = [[0.8 / det, -0.6 / det], [-0.6 / det, 1 / det]];
    const target = createTarget({ kind: 'gaussian', mean: mu, cov: Sig });
    const m0 = [3, 0], S0 = [[0.5, -0.2], [-0.2, 2]];
    const x = createTarget({ kind: 'gaussian', mean: m0, cov: S0 }).sample(n, createRng(1));
    ulaStep(target, x, n, g, createRng(2));
    const B = [[1 - g * Q[0][0], -g * Q[0][1]], [-g * Q[1][0], 1 - g * Q[1][1]]];
    const mean = [0, 1].map((r) => mu[r] + B[r][0] * (m0[0] - mu[0]) + B[r][1] * (m0[1] - mu[1]));
    const cov = [0, 1].map((r) => [0, 1].map((c) => {
      let s = 0;
      for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) s += B[r][a] * S0[a][b] * B[c][b];
      return s + (r === c ? 2 * g : 0);
    }));
    const m = moments(x, n, 2);
    for (let r = 0; r < 2; r++) {
      expect(Math.abs(m.mean[r] - mean[r])).toBeLessThan(5 * Math.sqrt(cov[r][r] / n));
      for (let c = 0; c < 2; c++) expect(Math.abs(m.cov[r][c] - cov[r][c])).toBeLessThan(5 * m.se[r][c]);
    }
  });
});

describe('malaStep', () => {
  it('chains started from the 1-D mixture 1/3 N(-2, 1) + 2/3 N(2, 1) keep its mean 2/3 and variance 41/9 (10 steps)', () => {
    const target = createTarget({ kind: 'mixture', weights: [1 / 3, 2 / 3], means: [[-2], [2]], covs: [[[1]], [[1]]] });
    const n = 50_000, rng = createRng(4), x = target.sample(n, rng), ws = createLangevinWorkspace(n, 1);
    let acc = 0;
    for (let k = 0; k < 10; k++) acc += malaStep(target, x, n, 0.5, rng, ws) / 10;
    const m = moments(x, n, 1);
    expect(Math.abs(m.mean[0] - 2 / 3)).toBeLessThan(5 * Math.sqrt(41 / 9 / n));
    expect(Math.abs(m.cov[0][0] - 41 / 9)).toBeLessThan(5 * m.se[0][0]);
    expect(acc).toBeGreaterThan(0.5);
    expect(acc).toBeLessThan(1);
  });
  it('on N(0, 1) with g = 0.5, MALA keeps variance 1 while ULA follows v <- (1 - g)^2 v + 2 g (20 steps)', () => {
    const target = createTarget({ kind: 'gaussian', mean: [0], cov: [[1]] });
    const n = 50_000, g = 0.5;
    const xm = target.sample(n, createRng(5)), xu = Float64Array.from(xm);
    let v = 1;
    const rm = createRng(6), ru = createRng(7);
    for (let k = 0; k < 20; k++) {
      malaStep(target, xm, n, g, rm);
      ulaStep(target, xu, n, g, ru);
      v = (1 - g) ** 2 * v + 2 * g;
    }
    const mm = moments(xm, n, 1), mu = moments(xu, n, 1);
    expect(Math.abs(mm.cov[0][0] - 1)).toBeLessThan(5 * mm.se[0][0]);
    expect(Math.abs(mu.cov[0][0] - v)).toBeLessThan(5 * mu.se[0][0]);
    expect(v).toBeGreaterThan(1.3); // the two laws are far apart: the test tells them apart
  });
  it('rejects proposals with a non-finite potential and accepts everything as g -> 0 on a smooth target', () => {
    const inf = { dim: 1, potential: (x: Float64Array, n: number, out: Float64Array) => { for (let i = 0; i < n; i++) out[i] = x[i] > 0.5 ? Infinity : 0; }, gradPotential: (_x: Float64Array, n: number, out: Float64Array) => out.fill(0, 0, n) };
    const x = new Float64Array(1000).fill(0.5 - 1e-9);
    const rate = malaStep(inf, x, 1000, 0.01, createRng(8));
    expect(rate).toBeGreaterThan(0.3);
    expect(rate).toBeLessThan(0.7);
    expect(x.every((t) => t <= 0.5)).toBe(true);
    const b = createTarget({ kind: 'banana', a: 1, b: 0.5, scales: [1, 0.5] });
    expect(malaStep(b, b.sample(1000, createRng(9)), 1000, 1e-8, createRng(10))).toBe(1);
  });
});
