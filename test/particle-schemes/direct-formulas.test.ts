// One step of svgd, forward-kde and mmd-flow (beta = 0) against the O(n^2) formulas written out here, and MALA's
// stationary moments on a mixture.
import { describe, expect, it } from 'vitest';
import { createSimulation, moments, specOf, stepped } from './helpers';

const A = [[1.5, 0.4], [0.4, 0.8]]; // target precision Sigma^-1
const m = [0.5, -1];
// Sigma = A^-1
const det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
const Sigma = [[A[1][1] / det, -A[0][1] / det], [-A[1][0] / det, A[0][0] / det]];
const points = [[0.1, 0.2], [-0.3, 0.5], [1.2, -0.4], [2, 1], [-1, -1.5], [0.7, 0.3], [0, -2]];
const gaussian = { kind: 'gaussian', mean: m, cov: Sigma };
const gradV = (x: number[]) => [0, 1].map((a) => A[a][0] * (x[0] - m[0]) + A[a][1] * (x[1] - m[1]));
const sq = (a: number[], b: number[]) => (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2;

function oneStep(problem: Record<string, unknown>, scheme: Record<string, unknown>): number[][] {
  const sim = createSimulation(specOf({ problem, scheme }));
  const s = stepped(sim, 1);
  if (s.kind !== 'particles') throw new Error('particles expected');
  return points.map((_, i) => [s.positions[2 * i], s.positions[2 * i + 1]]);
}

function numpyMedian(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const k = s.length;
  return k % 2 ? s[(k - 1) / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
}

describe('particle schemes against direct formulas', () => {
  it.each([0.7, 'median'] as const)('svgd with bandwidth %s', (bandwidth) => {
    const g = 0.05;
    const got = oneStep({ kind: 'kl', target: gaussian, init: { kind: 'points', points } }, { kind: 'svgd', step: g, bandwidth });
    const n = points.length;
    const all: number[] = [];
    for (const a of points) for (const b of points) all.push(sq(a, b));
    const h = bandwidth === 'median' ? numpyMedian(all) / Math.log(n + 1) : bandwidth;
    points.forEach((xi, i) => {
      const phi = [0, 0];
      for (const xj of points) {
        const k = Math.exp(-sq(xj, xi) / h);
        const score = gradV(xj).map((v) => -v);
        for (let c = 0; c < 2; c++) phi[c] += (k * score[c] - (2 / h) * (xj[c] - xi[c]) * k) / n;
      }
      for (let c = 0; c < 2; c++) expect(got[i][c]).toBeCloseTo(xi[c] + g * phi[c], 12);
    });
  });

  it('forward-kde', () => {
    const g = 0.1;
    const h = 0.8;
    const got = oneStep({ kind: 'kl', target: gaussian, init: { kind: 'points', points } }, { kind: 'forward-kde', step: g, bandwidth: h });
    points.forEach((xi, i) => {
      // grad log rho(x) = sum_j N_j (x_j - x) / h^2 / sum_j N_j
      let w = 0;
      const num = [0, 0];
      for (const xj of points) {
        const e = Math.exp(-sq(xi, xj) / (2 * h * h));
        w += e;
        for (let c = 0; c < 2; c++) num[c] += (e * (xj[c] - xi[c])) / (h * h);
      }
      const gv = gradV(xi);
      for (let c = 0; c < 2; c++) expect(got[i][c]).toBeCloseTo(xi[c] - g * (gv[c] + num[c] / w), 12);
    });
  });

  it('mmd-flow with beta = 0 descends the witness function of the given target points', () => {
    const g = 0.5;
    const s = 0.9;
    const ys = [[1, 1], [-0.5, 0.2], [0.3, -1.1], [2.2, 0.4]];
    const got = oneStep({ kind: 'mmd', s, target: { kind: 'points', points: ys }, init: { kind: 'points', points } }, { kind: 'mmd-flow', step: g, beta: 0 });
    const gradK = (z: number[], x: number[]) => { const k = Math.exp(-sq(z, x) / (2 * s * s)); return [0, 1].map((c) => (-(z[c] - x[c]) / (s * s)) * k); };
    points.forEach((zi, i) => {
      const grad = [0, 0];
      for (const xj of points) { const gk = gradK(zi, xj); grad[0] += gk[0] / points.length; grad[1] += gk[1] / points.length; }
      for (const yl of ys) { const gk = gradK(zi, yl); grad[0] -= gk[0] / ys.length; grad[1] -= gk[1] / ys.length; }
      for (let c = 0; c < 2; c++) expect(got[i][c]).toBeCloseTo(zi[c] - g * grad[c], 12);
    });
  });

  it('MALA leaves a 1-D Gaussian mixture invariant: mean and variance within Monte Carlo error', () => {
    const n = 4000;
    const w = [1 / 3, 2 / 3];
    const mus = [-2, 2];
    const vars = [1, 0.5];
    const target = { kind: 'mixture', weights: w, means: [[mus[0]], [mus[1]]], covs: [[[vars[0]]], [[vars[1]]]] };
    // Start at the target itself (sampled from its components here), so the test is about invariance, not mixing time.
    const x: number[] = [];
    let state = 12345;
    const u = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let i = 0; i < n; i++) {
      const c = u() < w[0] ? 0 : 1;
      const z = Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
      x.push(mus[c] + Math.sqrt(vars[c]) * z);
    }
    const sim2 = createSimulation({ ...specOf({ problem: { kind: 'kl', target, init: { kind: 'points', points: x.map((v) => [v]) } }, scheme: { kind: 'mala', step: 0.3 } }), seed: 3 });
    const s = stepped(sim2, 200);
    if (s.kind !== 'particles') throw new Error('particles expected');
    const mom = moments(s.positions, n, 1);
    const mean = w[0] * mus[0] + w[1] * mus[1];
    const second = w[0] * (vars[0] + mus[0] ** 2) + w[1] * (vars[1] + mus[1] ** 2);
    const variance = second - mean * mean;
    expect(Math.abs(mom.mean[0] - mean)).toBeLessThan(5 * Math.sqrt(variance / n));
    expect(Math.abs(mom.cov[0][0] - variance)).toBeLessThan(5 * Math.sqrt((2 * variance * variance) / n));
    // Within the right mode: E[(x - 2)^2 | x > 0] by quadrature of the mixture density (ULA's bias, ~0.2, would show).
    const dens = (t: number) => w.reduce((acc, wk, k) => acc + (wk * Math.exp(-((t - mus[k]) ** 2) / (2 * vars[k]))) / Math.sqrt(2 * Math.PI * vars[k]), 0);
    let z0 = 0;
    let z2 = 0;
    for (let t = 0.0005; t < 14; t += 0.001) { z0 += dens(t); z2 += dens(t) * (t - 2) ** 2; }
    const right = Array.from(s.positions).filter((t) => t > 0);
    const got2 = right.reduce((acc, t) => acc + (t - 2) ** 2, 0) / right.length;
    expect(Math.abs(got2 - z2 / z0)).toBeLessThan(5 * Math.sqrt((2 * vars[1] ** 2) / right.length));
    const acc = new Float64Array(sim2.metricNames.length);
    sim2.measure(200, acc, false);
    expect(acc[sim2.metricNames.indexOf('acceptance')]).toBeGreaterThan(0.5);
  });
});
