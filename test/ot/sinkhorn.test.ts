// Entropic OT: kernel vs log domain, marginals and convention checks, reg over six decades, divergence, grid kernel.
import { describe, expect, it } from 'vitest';
import { sinkhorn, sinkhornDivergence, sinkhornPoints } from '../../src/ot/sinkhorn';
import { exactOtPoints } from '../../src/ot/exact';
import { gibbsGridKernel, gridPoints, gridSinkhorn } from '../../src/ot/grid';
import { sqEuclideanCost } from '../../src/ot/cost';
import { OtInputError } from '../../src/ot/errors';
import { costMatrix, randomPoints, randomWeights, rel } from './helpers';

function median(v: number[]): number {
  const s = v.slice().sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)];
}

/** <P, C> + reg sum P (log P - 1) computed directly from a dense plan. */
function regularizedCost(P: Float64Array, C: number[][], reg: number): number {
  const m = C[0].length;
  let s = 0;
  for (let k = 0; k < P.length; k++) {
    const p = P[k];
    s += p * C[Math.floor(k / m)][k % m];
    if (p > 0) s += reg * p * (Math.log(p) - 1);
  }
  return s;
}

describe('Sinkhorn', () => {
  const x = randomPoints(1, 25, 2), y = randomPoints(2, 18, 2, 1.2, 0.5);
  const a = randomWeights(3, 25), b = randomWeights(4, 18);
  const C = costMatrix(x, y);
  const med = median(C.flat());

  it('returns a coupling with the POT-convention value, regularized value and potentials', () => {
    const reg = 0.3 * med;
    const r = sinkhornPoints(x, y, a, b, { reg, tol: 1e-13, returnPlan: true });
    expect(r.converged).toBe(true);
    expect(Object.isFrozen(r)).toBe(true);
    const P = r.plan!;
    const m = 18;
    for (let i = 0; i < 25; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += P[i * m + j];
      expect(Math.abs(s - a[i])).toBeLessThan(1e-12);
    }
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let i = 0; i < 25; i++) s += P[i * m + j];
      expect(Math.abs(s - b[j])).toBeLessThan(1e-12);
    }
    let value = 0;
    for (let k = 0; k < P.length; k++) value += P[k] * C[Math.floor(k / m)][k % m];
    expect(rel(r.value, value)).toBeLessThan(1e-12);
    expect(rel(r.regValue, regularizedCost(P, C, reg))).toBeLessThan(1e-10);
    // P_ij = exp((f_i + g_j - C_ij) / reg).
    for (const [i, j] of [[0, 0], [7, 3], [24, 17]]) {
      expect(rel(P[i * m + j], Math.exp((r.f[i] + r.g[j] - C[i][j]) / reg))).toBeLessThan(1e-10);
    }
    // The error history ends below tol and is what stopped the run.
    expect(r.errors[r.errors.length - 1]).toBeLessThan(1e-13);
  });

  it('kernel form and log domain agree where both are stable', () => {
    for (const f of [0.05, 0.5, 5]) {
      const k = sinkhornPoints(x, y, a, b, { reg: f * med, method: 'kernel', tol: 1e-13 });
      const l = sinkhornPoints(x, y, a, b, { reg: f * med, method: 'log', tol: 1e-13 });
      expect(k.method).toBe('kernel');
      expect(l.method).toBe('log');
      expect(rel(k.value, l.value)).toBeLessThan(1e-10);
      expect(rel(k.regValue, l.regValue)).toBeLessThan(1e-10);
      // Potentials agree up to the gauge f + t, g - t.
      const t = k.f[0] - l.f[0];
      for (let i = 0; i < 25; i++) expect(Math.abs(k.f[i] - l.f[i] - t)).toBeLessThan(1e-8 * Math.max(1, med));
    }
  });

  it('the WebAssembly SIMD kernels give the same iterates as the plain loops (odd sizes, overrelaxed)', async () => {
    const { simdAvailable, createSimdWorkspace } = await import('../../src/ot/simd');
    expect(simdAvailable()).toBe(true); // Node 20 has WebAssembly SIMD; the fallback is tested by simd: false
    const xs = randomPoints(31, 67, 2), ys = randomPoints(32, 81, 2, 1, 0.3);
    const med2 = median(costMatrix(xs, ys).flat());
    for (const f of [0.05, 1]) {
      const s1 = sinkhornPoints(xs, ys, null, null, { reg: f * med2, tol: 1e-12, method: 'kernel' });
      const s0 = sinkhornPoints(xs, ys, null, null, { reg: f * med2, tol: 1e-12, method: 'kernel', simd: false });
      expect(s1.converged && s0.converged).toBe(true);
      expect(Math.abs(s1.iterations - s0.iterations)).toBeLessThanOrEqual(2);
      expect(rel(s1.value, s0.value)).toBeLessThan(1e-11);
    }
    // exp kernel against Math.exp over the whole range it serves.
    const ws = createSimdWorkspace(8 * 1000)!;
    const mem = new Float64Array(ws.buffer, 0, 1000);
    const args = Array.from({ length: 1000 }, (_, k) => -708 + (708 * k) / 999);
    mem.set(args);
    ws.expInPlace(0, 1000, 1, 0);
    args.forEach((t, k) => expect(rel(mem[k], Math.exp(t))).toBeLessThan(1e-15));
  });

  it('replays POT iterates without overrelaxation: same iteration count as the stopping rule implies', () => {
    const r = sinkhornPoints(x, y, a, b, { reg: 0.5 * med, method: 'kernel', overrelax: false, checkEvery: 10, tol: 1e-9 });
    // Checks happen after iterations 1, 11, 21, ... (POT's ii % 10 == 0).
    expect((r.iterations - 1) % 10).toBe(0);
    expect(r.errors.length).toBe((r.iterations - 1) / 10 + 1);
  });

  for (const f of [1e-3, 1e-2, 1e-1, 1, 10, 100, 1000]) {
    it(`reg = ${f} x median cost: finite, converged, between the exact cost and the independent coupling`, () => {
      const r = sinkhornPoints(x, y, a, b, { reg: f * med, tol: 1e-10, maxIter: 20000 });
      expect(Number.isFinite(r.value)).toBe(true);
      expect(Number.isFinite(r.regValue)).toBe(true);
      expect(r.f.every(Number.isFinite) && r.g.every(Number.isFinite)).toBe(true);
      expect(r.converged).toBe(true);
      if (f <= 1e-2) expect(r.method).toBe('log');
      const exact = exactOtPoints(x, y, a, b).value;
      let indep = 0;
      for (let i = 0; i < 25; i++) for (let j = 0; j < 18; j++) indep += a[i] * b[j] * C[i][j];
      expect(r.value).toBeGreaterThanOrEqual(exact * (1 - 1e-9));
      expect(r.value).toBeLessThanOrEqual(indep * (1 + 1e-9));
      if (f === 1e-3) expect(rel(r.value, exact)).toBeLessThan(0.05);
      if (f === 1000) expect(rel(r.value, indep)).toBeLessThan(1e-3);
    });
  }

  it('warm starts from returned potentials (dense kernel, dense log, grid): converged at the first check', () => {
    for (const method of ['kernel', 'log'] as const) {
      const r = sinkhornPoints(x, y, a, b, { reg: 0.1 * med, tol: 1e-12, method });
      const again = sinkhornPoints(x, y, a, b, { reg: 0.1 * med, tol: 1e-11, method, init: { f: r.f, g: r.g } });
      expect(again.converged).toBe(true);
      expect(again.iterations).toBeLessThanOrEqual(1);
      expect(rel(again.value, r.value)).toBeLessThan(1e-10);
    }
    const K = gibbsGridKernel({ shape: [12, 9] }, 0.01);
    const ga = Float64Array.from(randomWeights(40, 108)), gb = Float64Array.from(randomWeights(41, 108));
    const g1 = gridSinkhorn(ga, gb, K, { tol: 1e-12 });
    const g2 = gridSinkhorn(ga, gb, K, { tol: 1e-11, init: { f: g1.f, g: g1.g } });
    expect(g1.iterations).toBeGreaterThan(5);
    expect(g2.iterations).toBeLessThanOrEqual(1);
    expect(rel(g2.value, g1.value)).toBeLessThan(1e-10);
  });

  it('zero-weight points get no mass and finite potentials', () => {
    const a0 = randomWeights(5, 25, [0, 13]), b0 = randomWeights(6, 18, [17]);
    const r = sinkhornPoints(x, y, a0, b0, { reg: 0.2 * med, tol: 1e-12, returnPlan: true });
    expect(r.converged).toBe(true);
    for (let j = 0; j < 18; j++) expect(r.plan![0 * 18 + j]).toBe(0);
    for (let i = 0; i < 25; i++) expect(r.plan![i * 18 + 17]).toBe(0);
    expect(r.f.every(Number.isFinite) && r.g.every(Number.isFinite)).toBe(true);
    // Same solution as with the zero-weight points dropped.
    const keep = [...Array(25).keys()].filter((i) => a0[i] > 0);
    const r2 = sinkhornPoints(keep.map((i) => x[i]), y.slice(0, 17), keep.map((i) => a0[i]), b0.slice(0, 17), { reg: 0.2 * med, tol: 1e-12 });
    expect(rel(r.value, r2.value)).toBeLessThan(1e-10);
  });

  it('huge and tiny coordinate scales (reg scaled along)', () => {
    const base = sinkhornPoints(x, y, a, b, { reg: 0.2 * med, tol: 1e-12 });
    for (const s of [1e6, 1e-6]) {
      const r = sinkhornPoints(x.map((p) => p.map((t) => t * s)), y.map((p) => p.map((t) => t * s)), a, b, { reg: 0.2 * med * s * s, tol: 1e-12 });
      expect(rel(r.value, base.value * s * s)).toBeLessThan(1e-8);
    }
  });

  it('reports non-convergence in the result instead of throwing', () => {
    const r = sinkhornPoints(x, y, a, b, { reg: 0.01 * med, maxIter: 5, newton: false, method: 'log', epsScaling: false });
    expect(r.converged).toBe(false);
    expect(r.status).toBe('max_iter_reached');
    expect(r.iterations).toBe(5);
  });

  it('rejects bad input naming the field', () => {
    const expectField = (fn: () => unknown, field: string): void => {
      try {
        fn();
        expect.unreachable('should throw');
      } catch (e) {
        expect(e).toBeInstanceOf(OtInputError);
        expect((e as OtInputError).field).toBe(field);
      }
    };
    expectField(() => sinkhornPoints(x, y, a, b, { reg: 0 }), 'reg');
    expectField(() => sinkhornPoints(x, y, a, b, { reg: -1 }), 'reg');
    expectField(() => sinkhornPoints(x, y, a, b, { reg: NaN }), 'reg');
    expectField(() => sinkhornPoints(x, y, a.map((t, i) => (i === 2 ? NaN : t)), b, { reg: 1 }), 'a[2]');
    expectField(() => sinkhornPoints(x, y, a, b.map((t) => 2 * t), { reg: 1 }), 'b');
    expectField(() => sinkhorn(a, b, [[1, 2]], { reg: 1 }), 'cost');
  });
});

describe('Sinkhorn divergence', () => {
  const x = randomPoints(11, 20, 2), y = randomPoints(12, 15, 2, 1, 0.8);
  it('is zero on identical measures, symmetric, nonnegative, and tends to W2^2 as reg -> 0', () => {
    const reg = 0.1;
    expect(Math.abs(sinkhornDivergence(x, x, null, null, { reg, tol: 1e-12 }).value)).toBeLessThan(1e-10);
    const s1 = sinkhornDivergence(x, y, null, null, { reg, tol: 1e-12 });
    const s2 = sinkhornDivergence(y, x, null, null, { reg, tol: 1e-12 });
    expect(s1.converged).toBe(true);
    expect(rel(s1.value, s2.value)).toBeLessThan(1e-9);
    expect(s1.value).toBeGreaterThan(0);
    const w2 = exactOtPoints(x, y).value;
    const small = sinkhornDivergence(x, y, null, null, { reg: 1e-3, tol: 1e-10 });
    expect(rel(small.value, w2)).toBeLessThan(0.02);
    // Debiasing: S = OT(a,b) - (OT(a,a) + OT(b,b)) / 2 from its parts.
    expect(s1.value).toBeCloseTo(s1.ab.regValue - 0.5 * (s1.aa.regValue + s1.bb.regValue), 14);
  });
});

describe('Gibbs kernel on grids', () => {
  function masses(N: number, seed: number, zeros: number[] = []): Float64Array {
    const w = randomWeights(seed, N, zeros);
    return Float64Array.from(w);
  }

  it('applies exp(-|z_i - z_j|^2 / reg) exactly as the dense matrix would (1-D, 2-D, 3-D)', () => {
    for (const shape of [[7], [5, 4], [3, 4, 2]]) {
      const spacing = shape.map((_, d) => 0.3 + 0.1 * d);
      const reg = 0.2;
      const K = gibbsGridKernel({ shape, spacing }, reg);
      const pts = gridPoints({ shape, spacing });
      const N = pts.n;
      const C = sqEuclideanCost(pts, pts).data;
      const v = masses(N, 7);
      const out = new Float64Array(N), outC = new Float64Array(N), outL = new Float64Array(N), outCL = new Float64Array(N);
      K.apply(v, out);
      K.applyCost(v, outC);
      K.applyLog(v.map(Math.log), outL);
      K.applyCostLog(v.map(Math.log), outCL);
      for (let i = 0; i < N; i++) {
        let s = 0, sc = 0;
        for (let j = 0; j < N; j++) {
          s += Math.exp(-C[i * N + j] / reg) * v[j];
          sc += Math.exp(-C[i * N + j] / reg) * C[i * N + j] * v[j];
        }
        expect(rel(out[i], s)).toBeLessThan(1e-13);
        expect(rel(outC[i], sc)).toBeLessThan(1e-13);
        expect(rel(Math.exp(outL[i]), s)).toBeLessThan(1e-12);
        expect(rel(Math.exp(outCL[i]), sc)).toBeLessThan(1e-12);
      }
    }
  });

  it('the SIMD path (grids of 1024+ cells, odd axis lengths, narrow and wide bands) matches the dense sums', () => {
    for (const [shape, reg] of [[[33, 35], 0.02], [[11, 10, 13], 0.5], [[1031], 1e-4], [[40, 27], 5]] as const) {
      const K = gibbsGridKernel({ shape: [...shape] }, reg);
      const pts = gridPoints({ shape: [...shape] });
      const N = pts.n;
      const C = sqEuclideanCost(pts, pts).data;
      const v = masses(N, 8);
      const out = new Float64Array(N), outC = new Float64Array(N);
      K.apply(v, out);
      K.applyCost(v, outC);
      for (let i = 0; i < N; i += 7) {
        let s = 0, sc = 0;
        for (let j = 0; j < N; j++) {
          const k = Math.exp(-C[i * N + j] / reg);
          s += k * v[j];
          sc += k * C[i * N + j] * v[j];
        }
        expect(rel(out[i], s)).toBeLessThan(1e-12);
        expect(rel(outC[i], sc)).toBeLessThan(1e-12);
      }
    }
  });

  it('grid Sinkhorn equals dense Sinkhorn on a small grid (kernel and log forms, zero-mass cells)', () => {
    const shape = [6, 5];
    const pts = gridPoints({ shape });
    const C = sqEuclideanCost(pts, pts);
    const a = masses(30, 21, [3]), b = masses(30, 22, [0, 29]);
    for (const reg of [0.05, 0.003]) {
      const dense = sinkhorn(a, b, C, { reg, tol: 1e-13, method: 'log' });
      const K = gibbsGridKernel({ shape }, reg);
      for (const method of ['kernel', 'log'] as const) {
        const g = gridSinkhorn(a, b, K, { tol: 1e-13, method });
        expect(g.converged).toBe(true);
        expect(g.method).toBe(method);
        expect(rel(g.value, dense.value)).toBeLessThan(1e-10);
        expect(Math.abs(g.regValue - dense.regValue)).toBeLessThan(1e-12);
        const t = g.f[1] - dense.f[1];
        for (let i = 0; i < 30; i++) expect(Math.abs(g.f[i] - dense.f[i] - t)).toBeLessThan(1e-9);
      }
    }
  });

  it('grid Sinkhorn runs the dense solver\'s loop: over-relaxed by default, same solution as plain iterates, fewer iterations', () => {
    const shape = [12, 10];
    const a = masses(120, 31, [5]), b = masses(120, 32, [0]);
    const K = gibbsGridKernel({ shape }, 0.01);
    const relaxedRun = gridSinkhorn(a, b, K, { tol: 1e-12 });
    const plain = gridSinkhorn(a, b, K, { tol: 1e-12, overrelax: false });
    expect(relaxedRun.converged && plain.converged).toBe(true);
    expect(rel(relaxedRun.value, plain.value)).toBeLessThan(1e-9);
    expect(relaxedRun.iterations).toBeLessThan(plain.iterations);
  });

  it('falls back to the log domain when the kernel underflows', () => {
    const shape = [40];
    const a = new Float64Array(40), b = new Float64Array(40);
    a[0] = 1;
    b[39] = 1; // transport over the whole segment: exp(-1 / 1e-4) underflows
    const r = gridSinkhorn(a, b, gibbsGridKernel({ shape, spacing: 1 / 39 }, 1e-4), { tol: 1e-12 });
    expect(r.method).toBe('log');
    expect(r.converged).toBe(true);
    expect(rel(r.value, 1)).toBeLessThan(1e-12);
  });

  it('rejects bad grids and masses naming the field', () => {
    expect(() => gibbsGridKernel({ shape: [2, 2, 2, 2] }, 1)).toThrow(/grid\.shape/);
    expect(() => gibbsGridKernel({ shape: [3, 0] }, 1)).toThrow(/grid\.shape\[1\]/);
    expect(() => gibbsGridKernel({ shape: [3] }, 0)).toThrow(/reg/);
    const K = gibbsGridKernel({ shape: [3] }, 1);
    expect(() => gridSinkhorn([0.5, 0.5], [0.3, 0.3, 0.4], K)).toThrow(/^a: /);
    expect(() => gridSinkhorn([0.5, 0.6, -0.1], [0.3, 0.3, 0.4], K)).toThrow(/a\[2\]/);
  });
});
