// The interaction energy of Bonet et al. 2024 and the schemes gd, pgd, mirror on it: direct formulas, finite
// differences, the minimum -1/6, K2 = gd and K2_Sigma = pgd up to translation, Newton's residual, energy decrease.
import { describe, expect, it } from 'vitest';
import { centred, directEnergy, directGrad, maxAbsDiff, metricsAt, positionsOf, qDiag, simOf } from './helpers';
import { pairEnergy, pairKernel, convolveGrad } from '../../src/mirror/kernels';
import { applyHStarRows } from '../../src/mirror/preconditioners';
import { parseSetup } from '../../src/setup/schema';
import { MIRROR_PRESETS } from '../../src/presets/mirror';
import { createSimulation } from '../../src/engine/registry';
import { driveSimulation } from '../../src/engine/run';
import type { MetricBatch } from '../../src/engine/types';

const S = [4, 0.5];
const pts = [[0.3, -0.2], [-0.5, 0.4], [1.1, 0.1], [0.2, 0.9], [-0.7, -0.6], [0.05, -0.3]];
const problem = { kind: 'interaction', sigma: { diag: S }, init: { kind: 'points', points: pts } };

describe('interaction energy', () => {
  it('matches the direct n^2 mean, and its gradient is (n/2) dE/dx_i (central differences)', () => {
    const sim = simOf(problem, { kind: 'gd', step: 0.01 });
    const m = metricsAt(sim, 0);
    expect(m.objective).toBeCloseTo(directEnergy(pts, S), 13);
    expect(m.gap).toBeCloseTo(directEnergy(pts, S) + 1 / 6, 13);
    const ker = pairKernel([1 / S[0], 0, 0, 1 / S[1]], 2, 0.25, -0.5);
    const x = Float64Array.from(pts.flat());
    const n = pts.length;
    const g = new Float64Array(n * 2);
    convolveGrad(ker, x, n, null, x, n, g);
    const dg = directGrad(pts, S);
    const h = 1e-6;
    for (let k = 0; k < n * 2; k++) {
      expect(g[k]).toBeCloseTo(dg[Math.floor(k / 2)][k % 2], 12);
      const xp = Float64Array.from(x); xp[k] += h;
      const xm = Float64Array.from(x); xm[k] -= h;
      const fd = (pairEnergy(ker, xp, n) - pairEnergy(ker, xm, n)) / (2 * h);
      expect(g[k]).toBeCloseTo((n / 2) * fd, 7);
    }
  });

  it('is -1/6 on n equally spaced points of the ellipse q = 1/3 and never below it', () => {
    const s = [100, 1];
    for (const n of [3, 7, 50]) {
      const ring = Array.from({ length: n }, (_, i) => [Math.sqrt(s[0] / 6) * Math.cos((2 * Math.PI * i) / n), Math.sqrt(s[1] / 6) * Math.sin((2 * Math.PI * i) / n)]);
      // radius^2 R^2 = 1/6 in whitened coordinates: 1.5 R^4 - R^2 at R^2 = 1/3 needs |u|^2 = 1/3, i.e. u = x / sqrt(s) of norm 1/sqrt(3)
      const ring3 = ring.map((p) => p.map((v) => v * Math.sqrt(2)));
      expect(qDiag(ring3[0], s)).toBeCloseTo(1 / 3, 12);
      const sim = simOf({ kind: 'interaction', sigma: { diag: s }, init: { kind: 'points', points: ring3 } }, { kind: 'gd', step: 0.1 });
      expect(metricsAt(sim, 0).objective).toBeCloseTo(-1 / 6, 12);
      expect(directEnergy(ring3, s)).toBeCloseTo(-1 / 6, 12);
      expect(sim.references).toEqual([{ metric: 'objective', value: -1 / 6, label: 'min W = -1/6' }]);
    }
  });

  it('one particle: zero energy, zero gradient, every scheme leaves it in place', () => {
    for (const scheme of [{ kind: 'gd', step: 0.1 }, { kind: 'pgd', step: 0.1 }, { kind: 'mirror', step: 0.1, potential: 'K4_Sigma' }]) {
      const sim = simOf({ kind: 'interaction', init: { kind: 'points', points: [[1, 2]] } }, scheme);
      sim.step(0);
      expect(positionsOf(sim, 1)).toEqual([[1, 2]]);
      expect(metricsAt(sim, 1).objective).toBe(0);
    }
  });

  it('rejects a non-SPD Sigma and an init of the wrong dimension, naming the field', () => {
    const bad = parseSetup({ name: 't', iterations: 1, problem: { kind: 'interaction', sigma: [[1, 2], [2, 1]] }, scheme: { kind: 'gd', step: 0.1 } });
    expect(bad.ok ? [] : bad.issues.map((i) => i.path)).toContain('problem.sigma');
    const dim = parseSetup({ name: 't', iterations: 1, problem: { kind: 'interaction', sigma: { diag: [1, 1, 1] } }, scheme: { kind: 'gd', step: 0.1 } });
    expect(dim.ok ? [] : dim.issues.map((i) => i.path)).toContain('problem.init.mean');
  });
});

describe('gd and pgd on the interaction energy', () => {
  it('gd: x - g (1/n) sum_j grad W(x_i - x_j)', () => {
    const sim = simOf(problem, { kind: 'gd', step: 0.07 });
    sim.step(0);
    const dg = directGrad(pts, S);
    expect(maxAbsDiff(positionsOf(sim, 1), pts.map((p, i) => p.map((v, c) => v - 0.07 * dg[i][c])))).toBeLessThan(1e-14);
  });

  it('pgd: P = Sigma by default, a given matrix P, and grad h* against central differences of h*', () => {
    const dg = directGrad(pts, S);
    const sim = simOf(problem, { kind: 'pgd', step: 0.05 });
    sim.step(0);
    expect(maxAbsDiff(positionsOf(sim, 1), pts.map((p, i) => p.map((v, c) => v - 0.05 * S[c] * dg[i][c])))).toBeLessThan(1e-14);
    const P = [[2, 0.5], [0.5, 1]];
    const simP = simOf(problem, { kind: 'pgd', step: 0.05, preconditioner: { kind: 'matrix', P } });
    simP.step(0);
    expect(maxAbsDiff(positionsOf(simP, 1), pts.map((p, i) => p.map((v, r) => v - 0.05 * (P[r][0] * dg[i][0] + P[r][1] * dg[i][1]))))).toBeLessThan(1e-14);
    for (const a of [1.25, 1.5, 1.75]) {
      const hstar = (y: number[]) => Math.pow(Math.pow(Math.hypot(...y), a) + 1, 1 / a) - 1;
      const simH = simOf(problem, { kind: 'pgd', step: 0.05, preconditioner: { kind: 'h-star', a } });
      simH.step(0);
      const h = 1e-6;
      const want = pts.map((p, i) => p.map((v, c) => {
        const yp = [...dg[i]]; yp[c] += h;
        const ym = [...dg[i]]; ym[c] -= h;
        return v - 0.05 * (hstar(yp) - hstar(ym)) / (2 * h);
      }));
      expect(maxAbsDiff(positionsOf(simH, 1), want)).toBeLessThan(1e-9);
    }
  });

  it('grad h* at huge and tiny |y|: norm -> 1 and ~ |y|^(a - 1), finite, zero at 0', () => {
    const out = new Float64Array(6);
    applyHStarRows(1.5, Float64Array.of(3e300, 4e300, 3e-300, 4e-300, 0, 0), 3, 2, out);
    expect(Math.hypot(out[0], out[1])).toBeCloseTo(1, 12);
    expect(out[0] / out[1]).toBeCloseTo(0.75, 12);
    expect(Math.hypot(out[2], out[3]) / Math.pow(5e-300, 0.5)).toBeCloseTo(1, 12);
    expect([out[4], out[5]]).toEqual([0, 0]);
  });

  it('pgd with P = Sigma needs a problem with a Sigma, and a given P must be d x d SPD', () => {
    const mmd = { kind: 'mmd', target: { kind: 'gaussian', mean: [0, 0], cov: { diag: [1, 1] } }, init: { kind: 'points', points: pts }, s: 1 };
    expect(() => simOf(mmd, { kind: 'pgd', step: 0.1 })).toThrow(/scheme.preconditioner/);
    expect(() => simOf(mmd, { kind: 'mirror', step: 0.1, potential: 'K2_Sigma' })).toThrow(/scheme.potential/);
    expect(() => simOf(problem, { kind: 'pgd', step: 0.1, preconditioner: { kind: 'matrix', P: [[1, 2], [2, 1]] } })).toThrow(/scheme.preconditioner.P: must be symmetric positive definite/);
    expect(() => simOf(problem, { kind: 'pgd', step: 0.1, preconditioner: { kind: 'matrix', P: [[1]] } })).toThrow(/must be 2 x 2/);
  });
});

describe('mirror descent with an interaction potential', () => {
  const cloud = { kind: 'interaction', init: { kind: 'gaussian', mean: [0, 0], cov: { diag: [0.0625, 0.0625] }, particles: 40 } };

  it.each([['K2', { kind: 'gd', step: 0.1 }], ['K2_Sigma', { kind: 'pgd', step: 0.1 }]] as const)('with %s equals %o up to a translation, over 30 steps', (potential, other) => {
    const a = simOf(cloud, { kind: 'mirror', step: 0.1, potential });
    const b = simOf(cloud, other);
    for (let k = 0; k < 30; k++) { a.step(k); b.step(k); }
    const pa = positionsOf(a, 30);
    expect(maxAbsDiff(centred(pa), centred(positionsOf(b, 30)))).toBeLessThan(1e-9);
    expect(metricsAt(a, 30).newton_residual).toBeLessThan(1e-10);
  });

  it('K4_Sigma: the new particles solve the implicit equation (residual written out in the test)', () => {
    const n = 12;
    const sim = simOf({ ...cloud, init: { ...cloud.init, particles: n } }, { kind: 'mirror', step: 0.1, potential: 'K4_Sigma', tol: 1e-10 });
    const s = [100, 1];
    const gradK = (z: number[]) => { const q = qDiag(z, s); return z.map((v, c) => (q + 1) * v / s[c]); };
    const G = (p: number[][]) => p.map((a) => { const g = [0, 0]; for (const b of p) gradK([a[0] - b[0], a[1] - b[1]]).forEach((v, c) => { g[c] += v / p.length; }); return g; });
    for (let k = 0; k < 5; k++) {
      const x = positionsOf(sim, k);
      sim.step(k);
      const y = positionsOf(sim, k + 1);
      const gx = G(x);
      const gw = directGrad(x, s);
      const gy = G(y);
      const res = Math.hypot(...gy.flatMap((g, i) => g.map((v, c) => v - (gx[i][c] - 0.1 * gw[i][c]))));
      expect(res).toBeLessThan(1e-12);
      const m = metricsAt(sim, k + 1);
      expect(m.newton_residual).toBeLessThan(1e-12);
      expect(m.newton_iterations).toBeGreaterThanOrEqual(2);
      // the mean is kept
      expect(maxAbsDiff([y.reduce((acc, p) => [acc[0] + p[0] / n, acc[1] + p[1] / n], [0, 0])], [x.reduce((acc, p) => [acc[0] + p[0] / n, acc[1] + p[1] / n], [0, 0])])).toBeLessThan(1e-13);
    }
  });

  it('reports a Newton step that hit its cap (metric and warning), without crashing', () => {
    const sim = simOf(cloud, { kind: 'mirror', step: 0.1, potential: 'K4', max_iter: 1 });
    expect(sim.warning!()).toBeUndefined();
    sim.step(0);
    const m = metricsAt(sim, 1);
    expect(m.newton_iterations).toBe(1);
    expect(m.newton_residual).toBeGreaterThan(1e-8);
    expect(sim.warning!()).toMatch(/mirror: Newton did not reach step norm <= 0.00001 within 1 iterations in 1 step\(s\), first at k = 0/);
  });
});

describe('the Fig. 1 preset', () => {
  it('runs every scheme through the engine; the energy decreases at every step and ends near -1/6 for the Sigma-aware schemes', () => {
    const preset = MIRROR_PRESETS.find((p) => p.id === 'mirror-interaction-bonet-fig1')!;
    const parsed = parseSetup(preset.setup);
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join());
    const final: Record<string, number> = {};
    for (const run of parsed.value.runs) {
      const sim = createSimulation(run.spec);
      const batches: MetricBatch[] = [];
      const outcome = driveSimulation(sim, { iterations: run.spec.iterations, onBatch: (b) => batches.push(b) });
      expect(outcome.status).toBe('done');
      const m = sim.metricNames.length;
      const obj = batches.flatMap((b) => Array.from({ length: b.iterations.length }, (_, r) => b.values[r * m]));
      expect(obj.length).toBe(121);
      for (let k = 1; k < obj.length; k++) expect(obj[k]).toBeLessThanOrEqual(obj[k - 1] + 1e-12);
      const sc = run.spec.scheme as { kind: string; potential?: string };
      final[sc.potential ?? sc.kind] = obj[120];
      expect(sim.warning?.()).toBeUndefined();
    }
    expect(final.pgd).toBeLessThan(-0.166);
    expect(final.K4_Sigma).toBeLessThan(-0.164);
    expect(final.gd).toBeGreaterThan(-0.13);
    expect(final.K2).toBeCloseTo(final.gd, 9);
    expect(final.K2_Sigma).toBeCloseTo(final.pgd, 9);
    for (const v of Object.values(final)) expect(v).toBeGreaterThan(-1 / 6);
  });
});
