// The benchmark's instance families at small n, as correctness cases: exact OT must return a certified optimum
// (primal feasible, dual feasible, zero duality gap: an independent proof of optimality), agree with Jonker-Volgenant
// on uniform weights, and Sinkhorn must reach the entropic optimum (marginals of exp((f + g - C) / reg)).
import { describe, expect, it } from 'vitest';
import { fillSqEuclidean } from '../../src/ot/cost';
import { solveExact } from '../../src/ot/exact';
import type { ExactOtResult } from '../../src/ot/exact';
import { solveSinkhorn } from '../../src/ot/sinkhorn';
import { dirichletWeights, makeInstance } from './families';
import type { Family, Instance } from './families';
import { rel } from './helpers';

const FAMILIES: Family[] = ['square', 'gauss', 'clusters', 'gauss10', 'grid'];

function cost(inst: Instance): Float64Array {
  const C = new Float64Array(inst.n * inst.m);
  fillSqEuclidean(inst.x, inst.n, inst.y, inst.m, inst.d, C);
  return C;
}

/** Certificate of optimality; tolerances relative to max C. */
function certify(r: ExactOtResult, a: Float64Array, b: Float64Array, C: Float64Array, n: number, m: number): void {
  expect(r.status).toBe('optimal');
  let scale = 0;
  for (let k = 0; k < C.length; k++) scale = Math.max(scale, C[k]);
  const rows = new Float64Array(n), cols = new Float64Array(m);
  let primal = 0;
  for (let k = 0; k < r.masses.length; k++) {
    expect(r.masses[k]).toBeGreaterThan(0);
    rows[r.rows[k]] += r.masses[k];
    cols[r.cols[k]] += r.masses[k];
    primal += r.masses[k] * C[r.rows[k] * m + r.cols[k]];
  }
  for (let i = 0; i < n; i++) expect(Math.abs(rows[i] - a[i])).toBeLessThan(1e-13);
  for (let j = 0; j < m; j++) expect(Math.abs(cols[j] - b[j])).toBeLessThan(1e-13);
  let worst = -Infinity;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) worst = Math.max(worst, r.f[i] + r.g[j] - C[i * m + j]);
  expect(worst).toBeLessThanOrEqual(1e-12 * scale);
  let dual = 0;
  for (let i = 0; i < n; i++) dual += a[i] * r.f[i];
  for (let j = 0; j < m; j++) dual += b[j] * r.g[j];
  expect(Math.abs(primal - r.value)).toBeLessThan(1e-13 * scale);
  expect(Math.abs(primal - dual)).toBeLessThan(1e-12 * scale);
  expect(r.masses.length).toBeLessThanOrEqual(n + m - 1);
}

describe('exact OT on the benchmark families (small n)', () => {
  for (const family of FAMILIES) {
    it(`${family}: uniform n = m = 90, certified optimal, same value as Jonker-Volgenant, near-linear pivots`, () => {
      const inst = makeInstance(family, 90, 90, 3);
      const C = cost(inst);
      const u = new Float64Array(90).fill(1 / 90);
      const r = solveExact(u, u, C, 90, 90);
      certify(r, u, u, C, 90, 90);
      const jv = solveExact(u, u, C, 90, 90, { method: 'jv' });
      expect(rel(r.value, jv.value)).toBeLessThan(1e-12);
      expect(r.iterations).toBeLessThan(60 * 90);
    });

    it(`${family}: Dirichlet weights 80 x 60 with zero weights, certified optimal, zero-weight points carry nothing`, () => {
      const inst = makeInstance(family, 80, 60, 4);
      const C = cost(inst);
      const a = dirichletWeights(41, 80, [0, 17, 79]), b = dirichletWeights(42, 60, [5]);
      const r = solveExact(a, b, C, 80, 60);
      certify(r, a, b, C, 80, 60);
      for (let k = 0; k < r.rows.length; k++) {
        expect([0, 17, 79]).not.toContain(r.rows[k]);
        expect(r.cols[k]).not.toBe(5);
      }
      // The same problem through the plain-loop pricing: same optimum.
      const p = solveExact(a, b, C, 80, 60, { simd: false });
      expect(rel(p.value, r.value)).toBeLessThan(1e-13);
    });
  }

  it('integer grid with heavy ties: every point duplicated, shifted copy, optimum known in closed form', () => {
    // x = grid points each twice, y = x + (1, 0): the translation is optimal (cyclical monotonicity), W2^2 = 1.
    const inst = makeInstance('grid', 60, 60, 5);
    const n = 120, d = 2;
    const x = new Float64Array(n * d), y = new Float64Array(n * d);
    for (let i = 0; i < 60; i++) {
      for (const k of [i, i + 60]) {
        x[2 * k] = inst.x[2 * i];
        x[2 * k + 1] = inst.x[2 * i + 1];
        y[2 * k] = inst.x[2 * i] + 1;
        y[2 * k + 1] = inst.x[2 * i + 1];
      }
    }
    const C = new Float64Array(n * n);
    fillSqEuclidean(x, n, y, n, d, C);
    const u = new Float64Array(n).fill(1 / n);
    for (const method of ['auto', 'network-simplex'] as const) {
      const r = solveExact(u, u, C, n, n, { method });
      certify(r, u, u, C, n, n);
      expect(rel(r.value, 1)).toBeLessThan(1e-13);
    }
  });
});

describe('Sinkhorn on the benchmark families (small n)', () => {
  for (const family of FAMILIES) {
    for (const factor of [0.01, 0.2]) {
      it(`${family}, reg = ${factor} x mean C, Dirichlet weights: the entropic optimum`, () => {
        const inst = makeInstance(family, 70, 50, 6);
        const C = cost(inst);
        const a = dirichletWeights(51, 70), b = dirichletWeights(52, 50, [3]);
        let mean = 0;
        for (let k = 0; k < C.length; k++) mean += C[k];
        const reg = (factor * mean) / C.length;
        const r = solveSinkhorn(a, b, C, 70, 50, { reg, tol: 1e-11, maxIter: 50000 });
        expect(r.status).toBe('converged');
        const rows = new Float64Array(70), cols = new Float64Array(50);
        for (let i = 0; i < 70; i++) {
          for (let j = 0; j < 50; j++) {
            const p = Math.exp((r.f[i] + r.g[j] - C[i * 50 + j]) / reg);
            if (b[j] > 0) {
              rows[i] += p;
              cols[j] += p;
            }
          }
        }
        for (let i = 0; i < 70; i++) expect(Math.abs(rows[i] - a[i])).toBeLessThan(1e-9);
        for (let j = 0; j < 50; j++) expect(Math.abs(cols[j] - b[j])).toBeLessThan(1e-9);
        // Entropic cost lies above the exact one.
        expect(r.value).toBeGreaterThanOrEqual(solveExact(a, b, C, 70, 50).value * (1 - 1e-12));
      });
    }
  }
});
