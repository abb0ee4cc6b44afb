// Independent checks of the dense (non-commuting) path: optimality conditions, fixed points, bias, bounds.
import { describe, expect, it } from 'vitest';
import { buresW2sq, gaussianOtMap, klGaussian } from '../../src/ot/gaussian';
import { invSpd } from '../../src/linalg/spd';
import { symmetricEigen } from '../../src/linalg/eigen';
import { flat, maxAbs, maxAbsDiff, naiveMatmul, normal, randomOrthogonal, randomSpd, rng } from '../linalg/random';
import { covOf, metric, nestedOf, problem, trace, type GaussianSnapshot } from './helpers';
import type { GaussianKlProblem } from '../../src/problems/gaussian-kl/schema';

const eye = (d: number) => { const a = new Float64Array(d * d); for (let i = 0; i < d; i++) a[i * d + i] = 1; return a; };
const sub = (a: Float64Array, b: Float64Array) => a.map((v, i) => v - b[i]);
const scale = (a: Float64Array, c: number) => a.map((v) => v * c);
const mv = (a: Float64Array, x: Float64Array, d: number) => Float64Array.from({ length: d }, (_, i) => { let s = 0; for (let j = 0; j < d; j++) s += a[i * d + j] * x[j]; return s; });

/** A random problem whose target and initial covariances do not commute. */
function randomProblem(seed: number, d: number): { p: GaussianKlProblem; m: Float64Array; Sigma: Float64Array; A: Float64Array; lambda: number; L: number } {
  const r = rng(seed);
  const Sigma = randomSpd(r, d, 0.3);
  const S0 = randomSpd(r, d, 0.2, 2);
  const m = Float64Array.from({ length: d }, () => normal(r));
  const b0 = Array.from({ length: d }, () => 3 * normal(r));
  const A = invSpd(Sigma, d);
  const ev = symmetricEigen(A, d).values;
  return { p: problem(Array.from(m), nestedOf(Sigma, d), b0, nestedOf(S0, d)), m, Sigma, A, lambda: ev[0], L: ev[d - 1] };
}

const dims = [2, 3, 6];

describe('jko in the non-commuting case', () => {
  it.each(dims)('satisfies the optimality condition grad V + grad log mu\' + (x - T(x))/g = 0 to 1e-10 (d = %i)', (d) => {
    const { p, m, A } = randomProblem(d, d);
    const g = 0.4;
    const t = trace(p, { kind: 'jko', step: g }, 8);
    for (let k = 0; k < 8; k++) {
      const prev = t.snaps[k];
      const next = t.snaps[k + 1];
      const Sp = covOf(next);
      // OT map from mu' = mu_{k+1} to mu_k: T(x) = N x + c
      const { A: N, b: c } = gaussianOtMap(next.mean, Sp, prev.mean, covOf(prev), d);
      // linear part: A - S'^-1 + (I - N)/g = 0
      const lin = sub(sub(A, invSpd(Sp, d)), scale(sub(N, eye(d)), 1 / g));
      expect(maxAbs(lin) / (maxAbs(A) + 1 / g)).toBeLessThan(1e-10);
      // mean: A(b' - m) + (b' - T(b'))/g = 0 (grad log mu' vanishes at its mean)
      const Tb = mv(N, next.mean, d).map((v, i) => v + c[i]);
      const res = mv(A, sub(next.mean, m), d).map((v, i) => v + (next.mean[i] - Tb[i]) / g);
      expect(maxAbs(res)).toBeLessThan(1e-10 * (1 + maxAbs(next.mean)));
    }
  });

  it.each(dims)('decreases KL and W2^2 monotonically and respects the declared bound (d = %i)', (d) => {
    const { p, lambda } = randomProblem(10 + d, d);
    for (const g of [0.05, 0.5, 5]) {
      const t = trace(p, { kind: 'jko', step: g }, 30);
      const kl = metric(t, 'kl');
      const w2 = metric(t, 'w2sq');
      const bound = metric(t, 'bound_w2sq');
      for (let k = 1; k <= 30; k++) {
        expect(kl[k]).toBeLessThanOrEqual(kl[k - 1]);
        expect(w2[k]).toBeLessThanOrEqual(w2[k - 1] * (1 + 1e-12));
        expect(w2[k]).toBeLessThanOrEqual(bound[k] * (1 + 1e-9) + 1e-14);
        expect(bound[k]).toBeCloseTo(w2[0] / (1 + 2 * g * lambda) ** k, 10);
      }
    }
  });
});

describe('fb in the non-commuting case', () => {
  it.each(dims)('its entropy step satisfies grad log mu\' + (x - T(x))/g = 0 for T the OT map to nu = (I - g grad V)_# mu (d = %i)', (d) => {
    const { p, m, A } = randomProblem(20 + d, d);
    const g = 0.3;
    const t = trace(p, { kind: 'fb', step: g }, 6);
    const D = sub(eye(d), scale(A, g));
    for (let k = 0; k < 6; k++) {
      const prev = t.snaps[k];
      const next = t.snaps[k + 1];
      const nuMean = mv(D, prev.mean, d).map((v, i) => v + g * mv(A, m, d)[i]);
      const nuCov = naiveMatmul(naiveMatmul(D, covOf(prev), d), D, d);
      const Sp = covOf(next);
      const { A: N } = gaussianOtMap(next.mean, Sp, nuMean, nuCov, d);
      const lin = sub(scale(invSpd(Sp, d), -1), scale(sub(N, eye(d)), 1 / g));
      expect(maxAbs(lin) / (1 / g)).toBeLessThan(1e-10);
      expect(maxAbsDiff(next.mean, nuMean)).toBeLessThan(1e-12 * (1 + maxAbs(nuMean)));
    }
  });

  it.each(dims)('declares the bound only for g <= 1/L, and it holds (d = %i)', (d) => {
    const { p, lambda, L } = randomProblem(30 + d, d);
    for (const frac of [0.1, 0.5, 1]) {
      const g = frac / L;
      const t = trace(p, { kind: 'fb', step: g }, 40);
      const w2 = metric(t, 'w2sq');
      const bound = metric(t, 'bound_w2sq');
      for (let k = 0; k <= 40; k++) {
        expect(w2[k]).toBeLessThanOrEqual(bound[k] * (1 + 1e-9) + 1e-14);
        expect(bound[k]).toBeCloseTo(w2[0] * (1 - g * lambda) ** k, 10);
      }
    }
    expect(trace(p, { kind: 'fb', step: 1.5 / L }, 1).names).not.toContain('bound_w2sq');
    expect(trace(p, { kind: 'forward', step: 0.1 / L }, 1).names).toEqual(['objective', 'kl', 'w2sq']);
    expect(trace(p, { kind: 'ula', step: 0.1 / L }, 1).names).toEqual(['objective', 'kl', 'w2sq']);
  });
});

describe('fixed points and stationary laws', () => {
  it.each(dims)('the target is a fixed point of fb (g <= 1/L) and jko (d = %i)', (d) => {
    const { m, Sigma, L } = randomProblem(40 + d, d);
    const at = problem(Array.from(m), nestedOf(Sigma, d), Array.from(m), nestedOf(Sigma, d));
    for (const [kind, g] of [['fb', 0.9 / L], ['jko', 0.7], ['jko', 50]] as const) {
      const t = trace(at, { kind, step: g }, 25);
      for (const v of metric(t, 'kl')) expect(v).toBeLessThan(1e-13);
      for (const v of metric(t, 'w2sq')) expect(v).toBeLessThan(1e-13);
      expect(maxAbsDiff(covOf(t.snaps[25]), Sigma)).toBeLessThan(1e-12 * maxAbs(Sigma));
      expect(maxAbsDiff(t.snaps[25].mean, m)).toBeLessThan(1e-12);
    }
  });

  it.each(dims)('ULA converges to N(m, 2 (2A - g A^2)^-1), the solution of S = (I - gA) S (I - gA) + 2g I (d = %i)', (d) => {
    const { p, m, Sigma, A, L } = randomProblem(50 + d, d);
    const g = 0.5 / L;
    const t = trace(p, { kind: 'ula', step: g }, 3000);
    const Sinf = scale(invSpd(sub(scale(A, 2), scale(naiveMatmul(A, A, d), g)), d), 2);
    const last = t.snaps[3000];
    expect(maxAbsDiff(covOf(last), Sinf)).toBeLessThan(1e-10 * maxAbs(Sinf));
    expect(maxAbsDiff(last.mean, m)).toBeLessThan(1e-9);
    const biasKl = klGaussian(m, Sinf, m, Sigma, d);
    expect(biasKl).toBeGreaterThan(1e-6);
    expect(Math.abs(metric(t, 'kl')[3000] - biasKl)).toBeLessThan(1e-9 * biasKl);
  });
});

describe('forward and ula updates in the non-commuting case', () => {
  it.each(dims)('forward: S\' = M S M with M = I - gA + g S^-1; ula: S\' = (I - gA) S (I - gA) + 2g I (d = %i)', (d) => {
    const { p, m, A, L } = randomProblem(60 + d, d);
    const g = 0.2 / L;
    for (const kind of ['forward', 'ula'] as const) {
      const t = trace(p, { kind, step: g }, 5);
      for (let k = 0; k < 5; k++) {
        const S = covOf(t.snaps[k]);
        const M = kind === 'forward' ? sub(eye(d), scale(A, g)).map((v, i) => v + g * invSpd(S, d)[i]) : sub(eye(d), scale(A, g));
        const expected = naiveMatmul(naiveMatmul(M, S, d), M, d);
        if (kind === 'ula') for (let i = 0; i < d; i++) expected[i * d + i] += 2 * g;
        expect(maxAbsDiff(covOf(t.snaps[k + 1]), expected)).toBeLessThan(1e-11 * maxAbs(expected));
        const meanExpected = sub(t.snaps[k].mean, scale(mv(A, sub(t.snaps[k].mean, m), d), g));
        expect(maxAbsDiff(t.snaps[k + 1].mean, meanExpected)).toBeLessThan(1e-12 * (1 + maxAbs(meanExpected)));
      }
    }
  });
});

describe('metrics', () => {
  it.each(['forward', 'ula', 'fb', 'jko'] as const)('%s: kl and w2sq equal klGaussian and buresW2sq of the snapshot', (kind) => {
    const d = 4;
    const { p, m, Sigma } = randomProblem(70, d);
    const t = trace(p, { kind, step: 0.05 }, 10);
    for (let k = 0; k <= 10; k++) {
      const s: GaussianSnapshot = t.snaps[k];
      const kl = klGaussian(s.mean, covOf(s), m, Sigma, d);
      const w2 = buresW2sq(s.mean, covOf(s), m, Sigma, d);
      expect(Math.abs(metric(t, 'kl')[k] - kl)).toBeLessThan(1e-10 * kl + 1e-13);
      expect(Math.abs(metric(t, 'w2sq')[k] - w2)).toBeLessThan(1e-10 * w2 + 1e-12);
    }
  });

  it('snapshots: diagonal path gives diag, dense path gives cov', () => {
    const diag = trace(problem([0, 0], { diag: [1, 2] }, [1, 1], [[3, 0], [0, 4]]), { kind: 'fb', step: 0.1 }, 1).snaps[1];
    expect(diag.cov).toBeNull();
    expect(diag.diag).toBeInstanceOf(Float64Array);
    expect(diag.iteration).toBe(1);
    const dense = trace(problem([0, 0], { diag: [1, 2] }, [1, 1], [[3, 1], [1, 4]]), { kind: 'fb', step: 0.1 }, 1).snaps[1];
    expect(dense.diag).toBeNull();
    expect(dense.cov).toHaveLength(4);
  });
});

describe('dense path equals the diagonal path', () => {
  const d = 5;
  const r = rng(80);
  const sig = Array.from({ length: d }, () => 0.5 + 2 * r());
  const s0 = Array.from({ length: d }, () => 0.2 + 5 * r());
  const m = Array.from({ length: d }, () => normal(r));
  const b0 = Array.from({ length: d }, () => 2 * normal(r));
  const diagProblem = problem(m, { diag: sig }, b0, { diag: s0 });

  it.each(['forward', 'ula', 'fb', 'jko'] as const)('%s: forced dense on diagonal input, and on a rotated copy of it', (kind) => {
    const g = 0.15;
    const base = trace(diagProblem, { kind, step: g }, 30);
    expect(base.snaps[0].diag).not.toBeNull();
    const dense = trace(diagProblem, { kind, step: g }, 30, { forceDense: true });
    // rotate every law by an orthogonal R: x -> R x; KL and W2 are invariant
    const R = randomOrthogonal(rng(81), d);
    const Rt = Float64Array.from({ length: d * d }, (_, i) => R[(i % d) * d + Math.floor(i / d)]);
    const rot = (v: number[]) => Array.from(mv(R, Float64Array.from(v), d));
    const rotCov = (s: number[]) => { const D = new Float64Array(d * d); s.forEach((v, i) => (D[i * d + i] = v)); return naiveMatmul(naiveMatmul(R, D, d), Rt, d); };
    const symmetric = (a: Float64Array) => { for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) a[i * d + j] = a[j * d + i]; return a; };
    const rotated = trace(problem(rot(m), nestedOf(symmetric(rotCov(sig)), d), rot(b0), nestedOf(symmetric(rotCov(s0)), d)), { kind, step: g }, 30);
    expect(rotated.snaps[0].cov).not.toBeNull();
    for (let k = 0; k <= 30; k++) {
      for (let j = 0; j < base.names.length; j++) {
        const v = base.rows[k][j];
        expect(Math.abs(dense.rows[k][j] - v)).toBeLessThan(1e-10 * Math.abs(v) + 1e-13);
        expect(Math.abs(rotated.rows[k][j] - v)).toBeLessThan(1e-9 * Math.abs(v) + 1e-12);
      }
      const baseCov = covOf(base.snaps[k]);
      expect(maxAbsDiff(covOf(dense.snaps[k]), baseCov)).toBeLessThan(1e-11 * maxAbs(baseCov));
      expect(maxAbsDiff(dense.snaps[k].mean, base.snaps[k].mean)).toBeLessThan(1e-12 * (1 + maxAbs(base.snaps[k].mean)));
      const s = Array.from(base.snaps[k].diag!);
      expect(maxAbsDiff(covOf(rotated.snaps[k]), rotCov(s))).toBeLessThan(1e-10 * maxAbs(baseCov));
      expect(maxAbsDiff(rotated.snaps[k].mean, rot(Array.from(base.snaps[k].mean)))).toBeLessThan(1e-10 * (1 + maxAbs(base.snaps[k].mean)));
    }
  });

  it('treats dense matrices with zero off-diagonals as diagonal', () => {
    const asDense = problem(m, nestedOf(flat(sig.map((v, i) => sig.map((_, j) => (i === j ? v : 0)))), d), b0, s0.map((v, i) => s0.map((_, j) => (i === j ? v : 0))));
    const t = trace(asDense, { kind: 'jko', step: 0.2 }, 2);
    expect(t.snaps[2].diag).not.toBeNull();
  });
});
