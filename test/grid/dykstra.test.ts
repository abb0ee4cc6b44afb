// Dykstra's entropic JKO step against a direct solve of the same problem with the dense kernel: Newton on the
// first-order condition of min_{P 1 = p_k} gamma KL(P | K) + 2 tau f(P^T 1), whose minimiser is
// P = diag(a) K diag(e^g) with g = -s f'(q), q = P^T 1, s = 2 tau / gamma (the Lagrangian's stationarity in P_ij).
// Also the absorbed separable kernel against the dense formula.
import { describe, expect, it } from 'vitest';
import { absorbedKernel } from '../../src/grid/kernel';
import { dykstraSolver } from '../../src/grid/dykstra';
import { separableProx } from '../../src/grid/prox';
import { createRng } from '../../src/random';

interface Grid { shape: number[]; h: number[]; lo: number[] }
function centres(g: Grid): number[][] {
  const pts: number[][] = [];
  const rec = (d: number, cur: number[]) => {
    if (d === g.shape.length) { pts.push(cur); return; }
    for (let i = 0; i < g.shape[d]; i++) rec(d + 1, [...cur, g.lo[d] + (i + 0.5) * g.h[d]]);
  };
  rec(0, []);
  return pts;
}
const sq = (x: number[], y: number[]) => x.reduce((s, v, i) => s + (v - y[i]) ** 2, 0);

function solveLinear(A: number[][], b: number[]): number[] {
  const n = b.length, M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < n; r++) if (r !== c) { const f = M[r][c] / M[c][c]; for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k]; }
  }
  return M.map((r, i) => r[n] / r[i]);
}

/** q(g) of the dense problem and the Newton solve of g + s f'(q(g)) = 0. */
function directStep(pts: number[][], gamma: number, pk: number[], s: number, fprime: (q: number, i: number) => number, g0: number[]): number[] {
  const n = pts.length;
  const K = pts.map((x) => pts.map((y) => Math.exp(-sq(x, y) / gamma)));
  const qOf = (g: number[]) => {
    const Kb = K.map((row) => row.reduce((t, k, j) => t + k * Math.exp(g[j]), 0));
    const a = pk.map((p, i) => p / Kb[i]);
    return g.map((gj, j) => Math.exp(gj) * a.reduce((t, ai, i) => t + K[i][j] * ai, 0));
  };
  const F = (g: number[]) => { const q = qOf(g); return g.map((gj, j) => gj + s * fprime(q[j], j)); };
  const norm = (v: number[]) => Math.sqrt(v.reduce((t, x) => t + x * x, 0));
  let g = [...g0];
  for (let it = 0; it < 200; it++) {
    const f0 = F(g);
    if (norm(f0) < 1e-13) break;
    const e = 1e-7;
    const J = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let j = 0; j < n; j++) {
      const gp = [...g], gm = [...g];
      gp[j] += e; gm[j] -= e;
      const fp = F(gp), fm = F(gm);
      for (let i = 0; i < n; i++) J[i][j] = (fp[i] - fm[i]) / (2 * e);
    }
    const dx = solveLinear(J, f0);
    let t = 1;
    while (t > 1e-6) {
      const cand = g.map((v, i) => v - t * dx[i]);
      if (norm(F(cand)) < norm(f0)) { g = cand; break; }
      t /= 2;
    }
  }
  return qOf(g);
}

function gaussianMasses(pts: number[][], m: number[], v: number): number[] {
  const w = pts.map((x) => Math.exp(-sq(x, m) / (2 * v)));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

describe('absorbed separable kernel', () => {
  it('apply and applyT equal the dense exp(al(i) + be(j) - |x_i - x_j|^2 / gamma)', () => {
    const shape = [4, 5], h = [0.3, 0.2], gamma = 0.07;
    const K = absorbedKernel(shape, h, gamma);
    const rng = createRng(3);
    K.al.forEach((v) => v.forEach((_, i) => (v[i] = 3 * rng.normal())));
    K.be.forEach((v) => v.forEach((_, i) => (v[i] = 3 * rng.normal())));
    expect(K.rebuild()).toBe(true);
    const pts = centres({ shape, h, lo: [0, 0] });
    const A = new Float64Array(20), B = new Float64Array(20);
    K.expand(K.al, A); K.expand(K.be, B);
    const x = Float64Array.from({ length: 20 }, () => rng.uniform());
    const y = new Float64Array(20), yT = new Float64Array(20);
    K.apply(x, y); K.applyT(x, yT);
    for (let i = 0; i < 20; i++) {
      let s = 0, sT = 0;
      for (let j = 0; j < 20; j++) {
        s += Math.exp(A[i] + B[j] - sq(pts[i], pts[j]) / gamma) * x[j];
        sT += Math.exp(A[j] + B[i] - sq(pts[i], pts[j]) / gamma) * x[j];
      }
      expect(Math.abs(y[i] - s) / s).toBeLessThan(1e-12);
      expect(Math.abs(yT[i] - sT) / sT).toBeLessThan(1e-12);
    }
  });
});

describe('Dykstra entropic JKO step vs a dense direct solve', () => {
  const cases = [
    { name: '1-D Fokker-Planck', grid: { shape: [25], h: [0.2], lo: [-2.5] }, gamma: 0.1, tau: 0.05, kind: 'fp' as const },
    { name: '1-D Fokker-Planck, s = 100 (scalings absorbed)', grid: { shape: [25], h: [0.2], lo: [-2.5] }, gamma: 0.05, tau: 2.5, kind: 'fp' as const },
    { name: '2-D Fokker-Planck on 6 x 5 cells, unequal widths', grid: { shape: [6, 5], h: [0.5, 0.6], lo: [-1.5, -1.5] }, gamma: 0.3, tau: 0.1, kind: 'fp' as const },
    { name: '1-D porous medium m = 2', grid: { shape: [25], h: [0.2], lo: [-2.5] }, gamma: 0.1, tau: 0.05, kind: 'pm' as const },
    { name: '2-D porous medium m = 3', grid: { shape: [5, 6], h: [0.5, 0.4], lo: [-1.25, -1.2] }, gamma: 0.3, tau: 0.1, kind: 'pm' as const },
  ];
  it.each(cases)('$name', ({ grid, gamma, tau, kind }) => {
    const pts = centres(grid);
    const n = pts.length, hv = grid.h.reduce((a, b) => a * b, 1);
    const centre = grid.shape.map(() => 0.3);
    const V = pts.map((x) => sq(x, centre) / 2);
    const pk = gaussianMasses(pts, grid.shape.map(() => -0.4), 0.5);
    const s = (2 * tau) / gamma;
    const m = grid.shape.length === 1 ? 2 : 3;
    const prox = kind === 'fp'
      ? separableProx({ cellVolume: hv, potential: Float64Array.from(V), entropy: 1 })
      : separableProx({ cellVolume: hv, porous: { weight: 1, m } });
    const fprime = kind === 'fp' ? (q: number, i: number) => V[i] + Math.log(q / hv) : (q: number) => (m / (m - 1)) * (Math.pow(q / hv, m - 1) - 1);
    const want = directStep(pts, gamma, pk, s, fprime, kind === 'fp' ? V.map((v) => -s * v) : new Array(n).fill(0));
    for (const logDomain of [false, true]) {
      const solver = dykstraSolver({ shape: grid.shape, spacing: grid.h }, gamma, 1);
      const out = new Float64Array(n);
      const r = solver.step(Float64Array.from(pk), prox, s, out, { tol: 1e-14, maxIter: 200000, logDomain });
      expect(r.converged).toBe(true);
      expect(r.logDomain).toBe(logDomain);
      let l1 = 0, mass = 0;
      for (let i = 0; i < n; i++) { l1 += Math.abs(out[i] - want[i]); mass += out[i]; }
      expect(l1).toBeLessThan(1e-10);
      expect(Math.abs(mass - 1)).toBeLessThan(1e-14);
    }
  });

  it('two channels keep their own masses', () => {
    const grid = { shape: [20], h: [0.25], lo: [-2.5] };
    const pts = centres(grid);
    const p1 = gaussianMasses(pts, [-1], 0.3).map((v) => 0.3 * v), p2 = gaussianMasses(pts, [1], 0.6).map((v) => 0.7 * v);
    const pk = Float64Array.from([...p1, ...p2]);
    const prox = separableProx({ cellVolume: 0.25, potential: Float64Array.from(pts.map((x) => x[0] * x[0] / 2)), entropy: 1 });
    const out = new Float64Array(40);
    dykstraSolver({ shape: [20], spacing: [0.25] }, 0.1, 2).step(pk, prox, 1, out, { tol: 1e-13, maxIter: 100000 });
    const m1 = out.subarray(0, 20).reduce((a, b) => a + b, 0), m2 = out.subarray(20).reduce((a, b) => a + b, 0);
    expect(Math.abs(m1 - 0.3)).toBeLessThan(1e-14);
    expect(Math.abs(m2 - 0.7)).toBeLessThan(1e-14);
  });
});
