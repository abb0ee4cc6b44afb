// The ReLU neuron problem's numerics: the quadratic risk's KL prox against a direct solve (projected mirror
// iterations on the primal written here), the gradient of the exact W2^2 (dual potentials) and of the sliced
// cost against central finite differences of the costs, the simplex projection, and the four schemes' basics.
import { describe, expect, it } from 'vitest';
import { quadraticRisk } from '../../src/grid/quadratic';
import { slicedGradient, w2sqGradient } from '../../src/grid/transport';
import { projectSimplex } from '../../src/grid/simplex';
import { exactOtPoints, slicedWasserstein } from '../../src/ot/index';
import { createRng } from '../../src/random';
import { drive } from './helpers';

const rng = createRng(7);
const rand = (n: number, f = () => rng.uniform()) => Float64Array.from({ length: n }, f);

describe('quadratic risk', () => {
  const n = 5, M = 12;
  const Phi = rand(n * M, () => rng.normal()), y = rand(n, () => rng.normal());
  const L = quadraticRisk(Phi, y, M);
  const Lof = (p: Float64Array) => { let s = 0; for (let j = 0; j < n; j++) { let t = -y[j]; for (let i = 0; i < M; i++) t += Phi[j * M + i] * p[i]; s += t * t; } return s; };

  it('gradient against central differences', () => {
    const p = rand(M), g = new Float64Array(M);
    expect(L.gradient(p, g)).toBeCloseTo(Lof(p), 12);
    for (let i = 0; i < M; i++) {
      const a = Float64Array.from(p), b = Float64Array.from(p);
      a[i] += 1e-6; b[i] -= 1e-6;
      expect(g[i]).toBeCloseTo((Lof(a) - Lof(b)) / 2e-6, 6);
    }
  });

  it.each([0.01, 0.3, 5])('KL prox (s = %f) minimises KL(p | z) + s L(p): KKT and a direct descent solve', (s) => {
    const z = rand(M, () => 0.05 + rng.uniform());
    const p = new Float64Array(M);
    const res = L.prox(z, s, p);
    expect(res).toBeLessThan(1e-10);
    const g = new Float64Array(M);
    L.gradient(p, g);
    for (let i = 0; i < M; i++) expect(Math.abs(Math.log(p[i] / z[i]) + s * g[i])).toBeLessThan(1e-8);
    // direct: damped fixed-point / mirror iterations y <- (1 - w) y + w (log z - s grad L(e^y)) from log z
    const phi = (q: Float64Array) => q.reduce((t, qi, i) => t + qi * Math.log(qi / z[i]) - qi + z[i], 0) + s * Lof(q);
    let q = Float64Array.from(z);
    for (let it = 0; it < 20000; it++) {
      L.gradient(q, g);
      const w = 0.5 / (1 + s * 20);
      q = q.map((qi, i) => Math.exp((1 - w) * Math.log(qi) + w * (Math.log(z[i]) - s * g[i])));
    }
    expect(Math.abs(phi(q) - phi(p))).toBeLessThan(1e-9);
    expect(phi(p)).toBeLessThanOrEqual(phi(q) + 1e-12);
  });
});

describe('transport gradients in the masses', () => {
  const pts = Float64Array.from([0, 0, 1, 0.1, 0.2, 1, 1.3, 1.1, 0.5, 0.4, 2, 0.3, 0.1, 2.2]); // 7 points in 2-D
  const N = 7;
  const norm = (v: Float64Array) => { const s = v.reduce((a, b) => a + b, 0); return v.map((x) => x / s); };
  it('exact W2^2: the dual potential is the gradient (central differences along zero-sum directions)', () => {
    const p = norm(rand(N, () => 0.2 + rng.uniform())), q = norm(rand(N, () => 0.2 + rng.uniform()));
    const f = new Float64Array(N);
    const v = w2sqGradient(pts, 2, p, q, f);
    const W = (a: Float64Array) => exactOtPoints({ n: N, dim: 2, data: pts }, { n: N, dim: 2, data: pts }, a, q).value;
    expect(v).toBeCloseTo(W(p), 12);
    for (let t = 0; t < 5; t++) {
      const d = rand(N, () => rng.normal());
      const mean = d.reduce((a, b) => a + b, 0) / N;
      for (let i = 0; i < N; i++) d[i] -= mean;
      const e = 1e-7;
      const fd = (W(p.map((x, i) => x + e * d[i])) - W(p.map((x, i) => x - e * d[i]))) / (2 * e);
      expect(f.reduce((s, fi, i) => s + fi * d[i], 0)).toBeCloseTo(fd, 6);
    }
  });

  it('sliced W2^2: value equals src/ot slicedWasserstein-style projections, gradient against central differences', () => {
    const p = norm(rand(N, () => 0.2 + rng.uniform())), q = norm(rand(N, () => 0.2 + rng.uniform()));
    const f = new Float64Array(N);
    const v = slicedGradient(pts, 2, p, q, 8, 3, f);
    const S = (a: Float64Array) => slicedGradient(pts, 2, a, q, 8, 3, new Float64Array(N));
    expect(v).toBeGreaterThan(0);
    for (let t = 0; t < 5; t++) {
      const d = rand(N, () => rng.normal());
      const mean = d.reduce((a, b) => a + b, 0) / N;
      for (let i = 0; i < N; i++) d[i] -= mean;
      const e = 1e-7;
      const fd = (S(p.map((x, i) => x + e * d[i])) - S(p.map((x, i) => x - e * d[i]))) / (2 * e);
      expect(f.reduce((s, fi, i) => s + fi * d[i], 0)).toBeCloseTo(fd, 6);
    }
    // many projections: close to src/ot's Monte Carlo estimate
    const ours = slicedGradient(pts, 2, p, q, 2000, 1, new Float64Array(N));
    const ref = slicedWasserstein({ n: N, dim: 2, data: pts }, { n: N, dim: 2, data: pts }, p, q, { projections: 2000, seed: 5 });
    expect(Math.abs(ours - (ref as unknown as { value: number }).value) / ours).toBeLessThan(0.1);
  });

  it('simplex projection: against a direct KKT check', () => {
    const v = Float64Array.from([0.3, -0.2, 1.4, 0.05, 0.6]);
    const o = new Float64Array(5);
    projectSimplex(v, 0.5, o);
    expect(o.reduce((a, b) => a + b, 0)).toBeCloseTo(0.5, 14);
    const theta = [...o.keys()].filter((i) => o[i] > 0).map((i) => v[i] - o[i]);
    theta.forEach((t) => expect(t).toBeCloseTo(theta[0], 14));
    o.forEach((oi, i) => { if (oi === 0) expect(v[i]).toBeLessThanOrEqual(theta[0] + 1e-14); });
  });
});

describe('relu-neuron-grid schemes', () => {
  const problem = { kind: 'relu-neuron-grid', cells: 7, radius: 2, samples: 8 };
  it.each([
    { kind: 'gd-masses', step: 0.1 },
    { kind: 'entropic-jko', step: 0.1, gamma: 0.2 },
    { kind: 'jko-emd', step: 5, inner_iterations: 20 },
    { kind: 'jko-sliced', step: 5, projections: 10, inner_iterations: 20 },
  ])('$kind lowers the risk and keeps each channel\'s mass', (scheme) => {
    const r = drive(problem, scheme, 3);
    expect(r.metrics[3].objective).toBeLessThan(r.metrics[0].objective);
    for (const row of r.metrics) expect(row.mass_error).toBeLessThan(1e-13);
    const half = r.masses.length / 2;
    expect(r.masses.subarray(0, half).reduce((a, b) => a + b, 0)).toBeCloseTo(0.5, 6);
  });
});
