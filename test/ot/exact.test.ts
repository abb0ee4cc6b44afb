// Exact OT: invariants (marginals, zero duality gap, symmetry, translations), solver agreement and edge cases.
import { describe, expect, it } from 'vitest';
import { exactOt, exactOtPoints } from '../../src/ot/exact';
import { exactOt1d } from '../../src/ot/exact1d';
import { lapjv } from '../../src/ot/assignment';
import { OtInputError } from '../../src/ot/errors';
import { costMatrix, randomPoints, randomWeights, rel, sparseMarginals, sqDist } from './helpers';

/** Checks plan marginals, f_i + g_j <= C_ij and value = <a, f> + <b, g>; returns the value. */
function checkOptimality(x: number[][], y: number[][], a: number[], b: number[], r: ReturnType<typeof exactOtPoints>, tol = 1e-12): number {
  const n = x.length, m = y.length;
  const C = costMatrix(x, y);
  const scale = Math.max(...C.flat(), 1e-300);
  const { r: rs, c: cs } = sparseMarginals(r.rows, r.cols, r.masses, n, m);
  for (let i = 0; i < n; i++) expect(Math.abs(rs[i] - a[i])).toBeLessThan(1e-12);
  for (let j = 0; j < m; j++) expect(Math.abs(cs[j] - b[j])).toBeLessThan(1e-12);
  let primal = 0;
  for (let k = 0; k < r.masses.length; k++) {
    expect(r.masses[k]).toBeGreaterThan(0);
    primal += r.masses[k] * C[r.rows[k]][r.cols[k]];
  }
  expect(Math.abs(primal - r.value)).toBeLessThan(tol * scale);
  let dual = 0;
  for (let i = 0; i < n; i++) dual += a[i] * r.f[i];
  for (let j = 0; j < m; j++) dual += b[j] * r.g[j];
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) expect(r.f[i] + r.g[j]).toBeLessThanOrEqual(C[i][j] + tol * scale);
  expect(Math.abs(primal - dual)).toBeLessThan(tol * scale);
  expect(Math.abs(r.dualValue - dual)).toBeLessThan(tol * scale);
  // A basic solution has at most n + m - 1 positive entries.
  expect(r.masses.length).toBeLessThanOrEqual(n + m - 1);
  return primal;
}

describe('exact OT invariants', () => {
  for (const [n, m, d] of [[7, 11, 2], [40, 25, 3], [60, 60, 2], [1, 9, 2], [9, 1, 4]] as const) {
    it(`weighted ${n} x ${m} in ${d}-D: marginals, dual feasibility, zero duality gap`, () => {
      const x = randomPoints(n * 7 + m, n, d), y = randomPoints(n + m * 3, m, d, 1.5, 0.3);
      const a = randomWeights(n, n), b = randomWeights(m + 100, m);
      const r = exactOtPoints(x, y, a, b);
      expect(r.status).toBe('optimal');
      expect(r.converged).toBe(true);
      checkOptimality(x, y, a, b, r);
    });
  }

  it('is symmetric: OT(a, b) = OT(b, a)', () => {
    const x = randomPoints(1, 30, 2), y = randomPoints(2, 45, 2, 2);
    const a = randomWeights(3, 30), b = randomWeights(4, 45);
    const ab = exactOtPoints(x, y, a, b).value;
    const ba = exactOtPoints(y, x, b, a).value;
    expect(rel(ab, ba)).toBeLessThan(1e-12);
  });

  it('W2^2(mu, mu) = 0 and W2^2(mu, mu + t) = |t|^2', () => {
    const x = randomPoints(5, 50, 3);
    const a = randomWeights(6, 50);
    expect(exactOtPoints(x, x, a, a).value).toBeLessThan(1e-15);
    const t = [0.3, -1.2, 2.5];
    const y = x.map((p) => p.map((v, k) => v + t[k]));
    const r = exactOtPoints(x, y, a, a);
    expect(rel(r.value, sqDist(t, [0, 0, 0]))).toBeLessThan(1e-12);
  });

  it('matches the exact 1-D solver on 1-D data (weighted, n != m)', () => {
    const x = randomPoints(7, 37, 1), y = randomPoints(8, 23, 1, 3, 1);
    const a = randomWeights(9, 37), b = randomWeights(10, 23);
    const general = exactOtPoints(x, y, a, b).value;
    const oneD = exactOt1d(x.map((p) => p[0]), y.map((p) => p[0]), a, b);
    expect(rel(oneD.value, general)).toBeLessThan(1e-12);
    // The 1-D plan is a coupling too.
    const { r, c } = sparseMarginals(oneD.rows, oneD.cols, oneD.masses, 37, 23);
    r.forEach((v, i) => expect(Math.abs(v - a[i])).toBeLessThan(1e-14));
    c.forEach((v, j) => expect(Math.abs(v - b[j])).toBeLessThan(1e-14));
  });

  it('the assignment fast path and Jonker-Volgenant agree with the general simplex (uniform, n = m)', () => {
    for (const [seed, n, d] of [[11, 80, 2], [12, 150, 3], [13, 2, 1]] as const) {
      const x = randomPoints(seed, n, d), y = randomPoints(seed + 50, n, d, 1, 0.5);
      const fast = exactOtPoints(x, y);
      const jv = exactOtPoints(x, y, null, null, { method: 'jv' });
      const general = exactOtPoints(x, y, null, null, { method: 'network-simplex' });
      expect(fast.method).toBe('assignment');
      expect(jv.method).toBe('jv');
      expect(general.method).toBe('network-simplex');
      expect(rel(fast.value, general.value)).toBeLessThan(1e-12);
      expect(rel(jv.value, general.value)).toBeLessThan(1e-12);
      const u = new Array(n).fill(1 / n);
      checkOptimality(x, y, u, u, fast);
      checkOptimality(x, y, u, u, jv);
      // A permutation: each row and column used once.
      expect(new Set(Array.from(fast.cols)).size).toBe(n);
    }
  });

  it('solves the assignment problem exactly on an integer cost matrix (brute force over permutations)', () => {
    const C = [[4, 1, 3, 7], [2, 0, 5, 1], [3, 2, 2, 6], [5, 8, 1, 0]];
    let best = Infinity;
    const perm = (k: number, used: boolean[], acc: number): void => {
      if (k === 4) { best = Math.min(best, acc); return; }
      for (let j = 0; j < 4; j++) if (!used[j]) { used[j] = true; perm(k + 1, used, acc + C[k][j]); used[j] = false; }
    };
    perm(0, [false, false, false, false], 0);
    const flat = Float64Array.from(C.flat());
    const jv = lapjv(flat, 4);
    expect(Array.from(jv.colOfRow).reduce((s, j, i) => s + C[i][j], 0)).toBe(best);
    expect(exactOt(null, null, C).value * 4).toBeCloseTo(best, 12);
    expect(exactOt(null, null, C, { method: 'network-simplex' }).value * 4).toBeCloseTo(best, 12);
  });

  it('takes a general cost matrix (not only squared distances), including negative costs', () => {
    const C = [[1, -2, 3], [0, 4, -1]];
    const a = [0.5, 0.5], b = [0.2, 0.3, 0.5];
    // Enumerate the vertices of this small transportation polytope: P = [[p, q, .5-p-q], [.2-p, .3-q, p+q]].
    let best = Infinity;
    for (let p = 0; p <= 0.2 + 1e-12; p += 0.001) for (let q = 0; q <= 0.3 + 1e-12; q += 0.001) {
      const r = 0.5 - p - q;
      if (r < -1e-12) continue;
      best = Math.min(best, p * 1 + q * -2 + r * 3 + (0.2 - p) * 0 + (0.3 - q) * 4 + (p + q) * -1);
    }
    expect(exactOt(a, b, C).value).toBeCloseTo(best, 9);
  });
});

describe('exact OT edge cases', () => {
  it('one point against many', () => {
    const y = randomPoints(20, 12, 2), b = randomWeights(21, 12);
    const r = exactOtPoints([[0.5, -0.5]], y, [1], b);
    const direct = y.reduce((s, p, j) => s + b[j] * sqDist([0.5, -0.5], p), 0);
    expect(rel(r.value, direct)).toBeLessThan(1e-13);
    expect(r.masses.length).toBe(12);
  });

  it('all points equal', () => {
    const x = Array.from({ length: 10 }, () => [1, 2]);
    const y = Array.from({ length: 7 }, () => [1, 2]);
    expect(exactOtPoints(x, y).value).toBe(0);
    const y2 = Array.from({ length: 7 }, () => [4, 6]);
    expect(rel(exactOtPoints(x, y2).value, 25)).toBeLessThan(1e-14);
  });

  it('ties and duplicate points: a grid against itself shifted, with duplicates', () => {
    const x: number[][] = [];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) x.push([i, j]);
    const xd = [...x, ...x]; // every point twice
    const y = xd.map(([p, q]) => [p + 1, q]);
    const r = exactOtPoints(xd, y);
    expect(rel(r.value, 1)).toBeLessThan(1e-13);
    const u = new Array(50).fill(1 / 50);
    checkOptimality(xd, y, u, u, r);
    const g = exactOtPoints(xd, y, null, null, { method: 'network-simplex' });
    expect(rel(g.value, 1)).toBeLessThan(1e-13);
  });

  it('zero-weight points carry no mass but get feasible potentials', () => {
    const x = randomPoints(30, 12, 2), y = randomPoints(31, 9, 2, 2);
    const a = randomWeights(32, 12, [0, 5, 11]), b = randomWeights(33, 9, [4]);
    const r = exactOtPoints(x, y, a, b);
    for (let k = 0; k < r.masses.length; k++) {
      expect([0, 5, 11]).not.toContain(r.rows[k]);
      expect(r.cols[k]).not.toBe(4);
    }
    checkOptimality(x, y, a, b, r);
    // Same value as with the zero-weight points removed.
    const keepA = a.map((_, i) => i).filter((i) => a[i] > 0), keepB = b.map((_, j) => j).filter((j) => b[j] > 0);
    const reduced = exactOtPoints(keepA.map((i) => x[i]), keepB.map((j) => y[j]), keepA.map((i) => a[i]), keepB.map((j) => b[j]));
    expect(rel(r.value, reduced.value)).toBeLessThan(1e-13);
  });

  it('unnormalized weights with equal mass are a balanced problem (value scales with the mass)', () => {
    const x = randomPoints(40, 15, 2), y = randomPoints(41, 10, 2);
    const a = randomWeights(42, 15), b = randomWeights(43, 10);
    const v1 = exactOtPoints(x, y, a, b).value;
    const v3 = exactOtPoints(x, y, a.map((t) => 3 * t), b.map((t) => 3 * t)).value;
    expect(rel(v3, 3 * v1)).toBeLessThan(1e-12);
  });

  for (const scale of [1e6, 1e-6]) {
    it(`coordinates at scale ${scale}: W2^2 scales by scale^2 and stays exact`, () => {
      const x = randomPoints(50, 40, 2), y = randomPoints(51, 35, 2, 1, 1);
      const a = randomWeights(52, 40), b = randomWeights(53, 35);
      const v = exactOtPoints(x, y, a, b).value;
      const xs = x.map((p) => p.map((t) => t * scale)), ys = y.map((p) => p.map((t) => t * scale));
      const r = exactOtPoints(xs, ys, a, b);
      expect(rel(r.value, v * scale * scale)).toBeLessThan(1e-10);
      checkOptimality(xs, ys, a, b, r, 1e-11);
      // Large offsets: translate both clouds far away; the cost is unchanged.
      const off = 1e3 * scale;
      const r2 = exactOtPoints(xs.map((p) => [p[0] + off, p[1] - off]), ys.map((p) => [p[0] + off, p[1] - off]), a, b);
      expect(rel(r2.value, r.value)).toBeLessThan(1e-6);
    });
  }

  it('reports max_iter_reached instead of throwing', () => {
    const x = randomPoints(60, 30, 2), y = randomPoints(61, 30, 2);
    const r = exactOtPoints(x, y, randomWeights(62, 30), randomWeights(63, 30), { maxIter: 3 });
    expect(r.status).toBe('max_iter_reached');
    expect(r.converged).toBe(false);
    expect(Object.isFrozen(r)).toBe(true);
  });
});

describe('exact OT input errors name the field', () => {
  const x = [[0, 0], [1, 0], [0, 1], [1, 1]];
  const y = [[0, 0], [2, 0]];
  const cases: [string, () => unknown, string, RegExp][] = [
    ['negative weight', () => exactOtPoints(x, y, [0.3, 0.3, 0.6, -0.2], [0.5, 0.5]), 'a[3]', /a\[3\]: weight must be >= 0, got -0.2/],
    ['NaN weight', () => exactOtPoints(x, y, [0.25, NaN, 0.25, 0.25], [0.5, 0.5]), 'a[1]', /NaN/],
    ['masses differ', () => exactOtPoints(x, y, [0.25, 0.25, 0.25, 0.25], [0.5, 0.6]), 'b', /mass/],
    ['masses differ beyond 1e-9 relative', () => exactOtPoints(x, y, null, [0.5, 0.5 + 2e-9]), 'b', /mass/],
    ['wrong number of weights', () => exactOtPoints(x, y, [0.5, 0.5], null), 'a', /4 weights/],
    ['dimension mismatch', () => exactOtPoints(x, [[0, 0, 0]]), 'y', /dimension/],
    ['ragged points', () => exactOtPoints([[0, 0], [1]], y), 'x[1]', /2 coordinates/],
    ['NaN coordinate', () => exactOtPoints([[0, NaN]], y), 'x[0][1]', /finite/],
    ['empty measure', () => exactOtPoints([], y), 'x', /empty/],
    ['cost of the wrong shape', () => exactOt([0.5, 0.5], [1], [[1, 2], [3, 4]]), 'cost', /2 x 1/],
    ['all-zero weights', () => exactOtPoints(x, y, [0, 0, 0, 0], null), 'a', /sum to 0/],
  ];
  for (const [name, fn, field, msg] of cases) {
    it(name, () => {
      let err: unknown;
      try { fn(); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(OtInputError);
      expect((err as OtInputError).field).toBe(field);
      expect((err as OtInputError).message).toMatch(msg);
    });
  }
  it('accepts masses equal within 1e-9 relative', () => {
    expect(() => exactOtPoints(x, y, null, [0.5, 0.5 + 1e-10])).not.toThrow();
  });
});

describe('exact OT pricing', () => {
  it('SIMD and plain-loop pricing take the same pivots to the same optimum (weighted 150 x 170, uniform 200)', () => {
    const x = randomPoints(70, 150, 2), y = randomPoints(71, 170, 2, 1.2, 0.8);
    const a = randomWeights(72, 150), b = randomWeights(73, 170);
    const s = exactOtPoints(x, y, a, b);
    const p = exactOtPoints(x, y, a, b, { simd: false });
    expect(s.iterations).toBe(p.iterations);
    expect(s.value).toBe(p.value);
    checkOptimality(x, y, a, b, s);
    const xu = randomPoints(74, 200, 3), yu = randomPoints(75, 200, 3, 1.2, 0.8);
    const su = exactOtPoints(xu, yu), pu = exactOtPoints(xu, yu, null, null, { simd: false });
    expect(su.iterations).toBe(pu.iterations);
    expect(su.value).toBe(pu.value);
  });

  it('pivot count stays near-linear on a non-uniform family (Gaussian vs scaled, shifted Gaussian, n = 400)', () => {
    // Block search takes ~20 n pivots here (weighted: ~16 n); the former nearest-column candidate list took ~230 n.
    const n = 400;
    const x = randomPoints(80, n, 2), y = randomPoints(81, n, 2, 1.2, 0.8);
    const r = exactOtPoints(x, y);
    expect(r.status).toBe('optimal');
    expect(r.iterations).toBeLessThan(60 * n);
    const w = exactOtPoints(x, y, randomWeights(82, n), randomWeights(83, n));
    expect(w.iterations).toBeLessThan(60 * n);
  });
});
