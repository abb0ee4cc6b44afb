// Stabilized log-domain Sinkhorn (absorption) and the choice of form: each solution is checked against the
// definition of the entropic optimum, recomputed here with explicit exponentials: P_ij = exp((f_i + g_j - C_ij) / reg)
// has marginals a and b (the Sinkhorn fixed point is unique up to the gauge f + t, g - t).
import { describe, expect, it } from 'vitest';
import { sinkhorn } from '../../src/ot/sinkhorn';
import { exactOt } from '../../src/ot/exact';
import type { SinkhornResult } from '../../src/ot/sinkhorn';
import { costMatrix, randomPoints, randomWeights, rel } from './helpers';

/** Max marginal violation of the plan rebuilt from the returned potentials, relative to the total mass. */
function marginalViolation(r: SinkhornResult, C: number[][], a: number[], b: number[], reg: number): number {
  const n = a.length, m = b.length;
  const rows = new Float64Array(n), cols = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const p = Math.exp((r.f[i] + r.g[j] - C[i][j]) / reg);
      rows[i] += p;
      cols[j] += p;
    }
  }
  const mass = a.reduce((s, t) => s + t, 0);
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(rows[i] - a[i]));
  for (let j = 0; j < m; j++) worst = Math.max(worst, Math.abs(cols[j] - b[j]));
  return worst / mass;
}

function range(C: number[][]): number {
  const flat = C.flat();
  return Math.max(...flat) - Math.min(...flat);
}

describe('Sinkhorn: kernel form or stabilized log domain', () => {
  const x = randomPoints(21, 40, 2), y = randomPoints(22, 35, 2, 1.2, 0.8);
  const a = randomWeights(23, 40), b = randomWeights(24, 35);
  const C = costMatrix(x, y);
  const R = range(C);

  it('auto takes the kernel form up to (max C - min C) / reg = 700, where it agrees with the log domain', () => {
    const reg = R / 650;
    const k = sinkhorn(a, b, C, { reg, tol: 1e-12 });
    const l = sinkhorn(a, b, C, { reg, tol: 1e-12, method: 'log' });
    expect(k.method).toBe('kernel');
    expect(k.converged).toBe(true);
    expect(l.method).toBe('log');
    expect(l.converged).toBe(true);
    expect(rel(k.value, l.value)).toBeLessThan(1e-9);
    expect(marginalViolation(k, C, a, b, reg)).toBeLessThan(1e-10);
    expect(marginalViolation(l, C, a, b, reg)).toBeLessThan(1e-10);
  });

  for (const ratio of [1500, 5000, 20000]) {
    it(`(max C - min C) / reg = ${ratio}: log domain, converged to the entropic optimum, kernel rebuilt only on absorption`, () => {
      const reg = R / ratio;
      const r = sinkhorn(a, b, C, { reg, tol: 1e-11, maxIter: 20000 });
      expect(r.method).toBe('log');
      expect(r.status).toBe('converged');
      expect(marginalViolation(r, C, a, b, reg)).toBeLessThan(1e-9);
      // One build per absorption (scalings past 1e50) or epsilon stage, not one exponential pass per iteration.
      expect(r.kernelBuilds).toBeGreaterThanOrEqual(1);
      expect(r.kernelBuilds).toBeLessThan(Math.max(8, r.iterations / 10));
    });
  }

  it('absorbs: potentials that move by far more than 115 reg need several rebuilds and still converge', () => {
    const reg = R / 3000;
    const r = sinkhorn(a, b, C, { reg, tol: 1e-11, maxIter: 20000, method: 'log', epsScaling: false, newton: false });
    expect(r.status).toBe('converged');
    expect(r.kernelBuilds).toBeGreaterThanOrEqual(3);
    expect(marginalViolation(r, C, a, b, reg)).toBeLessThan(1e-9);
  });

  it('a point far from every other (its whole kernel row below 1e-308) and unnormalized masses', () => {
    const xf = [...x.slice(0, 39), [40, -40]];
    const Cf = costMatrix(xf, y);
    const reg = 0.05;
    const a5 = a.map((t) => 5 * t), b5 = b.map((t) => 5 * t);
    const r = sinkhorn(a5, b5, Cf, { reg, tol: 1e-10 });
    expect(r.method).toBe('log');
    expect(r.status).toBe('converged');
    expect(marginalViolation(r, Cf, a5, b5, reg)).toBeLessThan(1e-10);
    // The far point sends its mass along the cheapest arcs: the value is at least a[39] * min_j C[39][j].
    expect(r.value).toBeGreaterThan(a5[39] * Math.min(...Cf[39]) * (1 - 1e-9));
  });

  it('the SIMD and plain-loop kernels reach the same log-domain solution', () => {
    const xs = randomPoints(25, 70, 2), ys = randomPoints(26, 90, 2, 1.2, 0.8);
    const Cs = costMatrix(xs, ys);
    const reg = range(Cs) / 2000;
    const s1 = sinkhorn(null, null, Cs, { reg, tol: 1e-11 });
    const s0 = sinkhorn(null, null, Cs, { reg, tol: 1e-11, simd: false });
    expect(s1.method).toBe('log');
    expect(s1.converged && s0.converged).toBe(true);
    expect(rel(s1.value, s0.value)).toBeLessThan(1e-9);
  });

  it('reused WebAssembly memory gives bitwise the same results as a fresh solve (kernel, log, exact in between)', () => {
    const xs = randomPoints(27, 80, 2), ys = randomPoints(28, 70, 2, 1.2, 0.8);
    const Cs = costMatrix(xs, ys);
    const R2 = range(Cs);
    const first = [sinkhorn(null, null, Cs, { reg: R2 / 100 }), sinkhorn(null, null, Cs, { reg: R2 / 2000 })];
    const e1 = exactOt(null, null, Cs);
    // Other problems dirty the cached memory, then the same solves again.
    sinkhorn(null, null, costMatrix(ys, xs), { reg: R2 / 50 });
    exactOt(null, null, costMatrix(ys.slice(0, 65), xs.slice(0, 65)));
    const again = [sinkhorn(null, null, Cs, { reg: R2 / 100 }), sinkhorn(null, null, Cs, { reg: R2 / 2000 })];
    for (let k = 0; k < 2; k++) {
      expect(again[k].value).toBe(first[k].value);
      expect(again[k].iterations).toBe(first[k].iterations);
      expect(Array.from(again[k].f)).toEqual(Array.from(first[k].f));
    }
    const e2 = exactOt(null, null, Cs);
    expect(e2.value).toBe(e1.value);
    expect(e2.iterations).toBe(e1.iterations);
  });
});
