// The exact Gaussian schemes nem and pfb (Bonet et al. 2024) against recursions written out here in the original
// coordinates (Gauss-Jordan inverses, Denman-Beavers square roots), the target as a fixed point, pfb with P = I = fb,
// and the Fig. 2 target with random eigenvectors (rotation equivariance).
import { describe, expect, it } from 'vitest';
import { parseSetup } from '../../src/setup/schema';
import { createSimulation } from '../../src/engine/registry';
import { MIRROR_PRESETS } from '../../src/presets/mirror';
import { randomOrthogonal } from '../../src/linalg/orthogonal';
import { createRng } from '../../src/random';
import { simOf } from './helpers';
import type { Simulation } from '../../src/engine/types';

type M = number[][];
const mul = (a: M, b: M): M => a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));
const add = (a: M, b: M, s = 1): M => a.map((r, i) => r.map((v, j) => v + s * b[i][j]));
const scale = (a: M, s: number): M => a.map((r) => r.map((v) => v * s));
const eye = (d: number): M => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
function inv(a: M): M {
  const d = a.length;
  const w = a.map((r, i) => [...r, ...eye(d)[i]]);
  for (let k = 0; k < d; k++) {
    let p = k;
    for (let r = k + 1; r < d; r++) if (Math.abs(w[r][k]) > Math.abs(w[p][k])) p = r;
    [w[k], w[p]] = [w[p], w[k]];
    const piv = w[k][k];
    w[k] = w[k].map((v) => v / piv);
    for (let r = 0; r < d; r++) if (r !== k) { const f = w[r][k]; w[r] = w[r].map((v, c) => v - f * w[k][c]); }
  }
  return w.map((r) => r.slice(d));
}
/** Denman-Beavers iteration for the principal square root. */
function sqrtm(a: M): M {
  let y = a;
  let z = eye(a.length);
  for (let i = 0; i < 60; i++) {
    const yn = scale(add(y, inv(z)), 0.5);
    z = scale(add(z, inv(y)), 0.5);
    y = yn;
  }
  return y;
}
const maxDiff = (a: M, b: M): number => Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i][j]))));
const matvec = (a: M, v: number[]): number[] => a.map((r) => r.reduce((s, x, k) => s + x * v[k], 0));

function gaussOf(sim: Simulation, k: number): { mean: number[]; cov: M } {
  const s = sim.snapshot!(k);
  if (s.kind !== 'gaussian') throw new Error('gaussian expected');
  const d = s.mean.length;
  const cov = s.cov ? Array.from({ length: d }, (_, i) => Array.from(s.cov!.subarray(i * d, (i + 1) * d))) : Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? s.diag![i] : 0)));
  return { mean: Array.from(s.mean), cov };
}

const Sig: M = [[2, 0.6, -0.3], [0.6, 1, 0.2], [-0.3, 0.2, 0.5]];
const mStar = [1, -0.5, 0.25];
const S0: M = [[1, -0.4, 0.1], [-0.4, 3, 0.5], [0.1, 0.5, 0.7]];
const b0 = [-1, 2, 0.5];
const problem = { kind: 'gaussian-kl', target: { mean: mStar, cov: Sig }, init: { mean: b0, cov: S0 } };
const A = inv(Sig);
const tau = 0.05;

describe('nem on Gaussians', () => {
  it('follows S_{k+1}^-1 = C S_k C, C = (1 - tau) S_k^-1 + tau Sigma^-1, and the gradient step on the mean (dense, non-commuting)', () => {
    const sim = simOf(problem, { kind: 'nem', step: tau });
    let S = S0;
    let b = b0;
    for (let k = 0; k < 20; k++) {
      sim.step(k);
      const C = add(scale(inv(S), 1 - tau), scale(A, tau));
      S = inv(mul(mul(C, S), C));
      b = add([b], [matvec(A, b.map((v, i) => v - mStar[i]))], -tau)[0];
      const got = gaussOf(sim, k + 1);
      expect(maxDiff(got.cov, S)).toBeLessThan(1e-12);
      expect(maxDiff([got.mean], [b])).toBeLessThan(1e-12);
    }
  });

  it.each(['nem', 'pfb'])('%s keeps the target fixed (dense and diagonal paths)', (kind) => {
    for (const target of [{ mean: mStar, cov: Sig }, { mean: [1, 2], cov: { diag: [3, 0.2] } }]) {
      const sim = simOf({ kind: 'gaussian-kl', target, init: target }, { kind, step: 0.3 });
      for (let k = 0; k < 5; k++) sim.step(k);
      const out = new Float64Array(sim.metricNames.length);
      sim.measure(5, out, true);
      expect(out[1]).toBeLessThan(1e-26);
      expect(out[2]).toBeLessThan(1e-26);
    }
  });

  it('diagonal path: s_{k+1} = 1 / (c^2 s_k), c = (1 - tau) / s_k + tau / sigma', () => {
    const sim = simOf({ kind: 'gaussian-kl', target: { mean: [0, 0], cov: { diag: [4, 0.25] } }, init: { mean: [1, 1], cov: { diag: [1, 1] } } }, { kind: 'nem', step: tau });
    let s = [1, 1];
    for (let k = 0; k < 10; k++) {
      sim.step(k);
      s = s.map((v, i) => { const c = (1 - tau) / v + tau / [4, 0.25][i]; return 1 / (c * c * v); });
    }
    const got = gaussOf(sim, 10);
    expect(maxDiff(got.cov, [[s[0], 0], [0, s[1]]])).toBeLessThan(1e-13);
  });
});

describe('pfb on Gaussians', () => {
  it('P = Sigma: the mean moves to (1 - tau) b + tau m*, and S\' solves S\' - 2 tau P + tau^2 P S\'^-1 P = (1 - tau)^2 S (non-commuting S)', () => {
    const sim = simOf(problem, { kind: 'pfb', step: tau });
    let b = b0;
    for (let k = 0; k < 10; k++) {
      const S = gaussOf(sim, k).cov;
      sim.step(k);
      const got = gaussOf(sim, k + 1);
      b = b.map((v, i) => (1 - tau) * v + tau * mStar[i]);
      expect(maxDiff([got.mean], [b])).toBeLessThan(1e-12);
      const lhs = add(add(got.cov, scale(Sig, -2 * tau)), scale(mul(mul(Sig, inv(got.cov)), Sig), tau * tau));
      expect(maxDiff(lhs, scale(S, (1 - tau) ** 2))).toBeLessThan(1e-12);
      // S' is symmetric positive definite
      expect(maxDiff(got.cov, got.cov.map((r, i) => r.map((_, j) => got.cov[j][i])))).toBeLessThan(1e-14);
    }
  });

  it('P = Sigma commuting with S: the paper\'s S\' = (S_h + 2 tau P + (S_h (S_h + 4 tau P))^1/2) / 2', () => {
    const Sc = add(mul(Sig, Sig), eye(3)); // commutes with Sigma
    const sim = simOf({ kind: 'gaussian-kl', target: { mean: mStar, cov: Sig }, init: { mean: b0, cov: Sc } }, { kind: 'pfb', step: tau });
    let S = Sc;
    for (let k = 0; k < 10; k++) {
      sim.step(k);
      const Sh = scale(S, (1 - tau) ** 2);
      S = scale(add(add(Sh, scale(Sig, 2 * tau)), sqrtm(mul(Sh, add(Sh, scale(Sig, 4 * tau))))), 0.5);
    }
    expect(maxDiff(gaussOf(sim, 10).cov, S)).toBeLessThan(1e-11);
  });

  it('P = I is fb, step by step', () => {
    const a = simOf(problem, { kind: 'pfb', step: tau, preconditioner: 'identity' });
    const b = simOf(problem, { kind: 'fb', step: tau });
    for (let k = 0; k < 10; k++) { a.step(k); b.step(k); }
    const ga = gaussOf(a, 10);
    const gb = gaussOf(b, 10);
    expect(maxDiff(ga.cov, gb.cov)).toBeLessThan(1e-13);
    expect(maxDiff([ga.mean], [gb.mean])).toBeLessThan(1e-13);
  });
});

describe('a target with random eigenvectors (Fig. 2)', () => {
  it('randomOrthogonal returns Q^T Q = I', () => {
    const d = 7;
    const q = randomOrthogonal(d, createRng(3));
    const Q = Array.from({ length: d }, (_, i) => Array.from(q.subarray(i * d, (i + 1) * d)));
    expect(maxDiff(mul(Q.map((_, i) => Q.map((r) => r[i])), Q), eye(d))).toBeLessThan(1e-14);
  });

  it('Sigma = Q diag(spectrum) Q^T differs per seed; KL curves agree across seeds; pfb converges to it', () => {
    const preset = MIRROR_PRESETS.find((p) => p.id === 'mirror-gaussians-bonet-fig2')!;
    const parsed = parseSetup(preset.setup);
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join());
    expect(parsed.value.runs.length).toBe(60);
    const spec = parsed.value.runs[0].spec;
    const spectrum = (spec.problem as { target: { cov: { spectrum: number[] } } }).target.cov.spectrum;
    const kl: Record<string, number[]> = {};
    const covs: M[] = [];
    for (const seed of [0, 5]) {
      for (const scheme of [{ kind: 'nem', step: 0.01 }, { kind: 'pfb', step: 0.01 }, { kind: 'fb', step: 0.01 }]) {
        const sim = createSimulation({ ...spec, seed, scheme } as typeof spec);
        const out = new Float64Array(sim.metricNames.length);
        const k0 = gaussOf(sim, 0);
        expect(maxDiff(k0.cov, eye(10))).toBeLessThan(1e-14);
        for (let k = 0; k < 300; k++) {
          sim.step(k);
          if (k + 1 === 100) { sim.measure(100, out, true); (kl[`${scheme.kind}100`] ??= []).push(out[1]); }
        }
        sim.measure(300, out, true);
        (kl[`${scheme.kind}300`] ??= []).push(out[1]);
        if (scheme.kind === 'pfb') {
          for (let k = 300; k < 1500; k++) sim.step(k);
          covs.push(gaussOf(sim, 1500).cov);
        }
      }
    }
    for (const v of Object.values(kl)) expect(Math.abs(v[0] - v[1])).toBeLessThan(1e-12 * v[0]);
    expect(kl.pfb100[0]).toBeLessThan(kl.nem100[0]);
    expect(kl.nem100[0]).toBeLessThan(kl.fb100[0]);
    expect(kl.pfb300[0]).toBeLessThan(1e-4);
    expect(kl.fb300[0]).toBeGreaterThan(1);
    // pfb's covariance at k = 1500 is Sigma*: eigenvalues = spectrum, and the two seeds' matrices differ
    for (const C of covs) {
      const tr = C.reduce((s, r, i) => s + r[i], 0);
      expect(tr).toBeCloseTo(spectrum.reduce((s, v) => s + v, 0), 8);
      const tr2 = mul(C, C).reduce((s, r, i) => s + r[i], 0);
      expect(tr2).toBeCloseTo(spectrum.reduce((s, v) => s + v * v, 0), 6);
    }
    expect(maxDiff(covs[0], covs[1])).toBeGreaterThan(1);
  });

  it('rejects a spectrum of the wrong length, naming the field', () => {
    const r = parseSetup({ name: 't', iterations: 1, problem: { kind: 'gaussian-kl', target: { mean: [0, 0], cov: { spectrum: [1, 2, 3], rotation: 'random' } }, init: { mean: [0, 0], cov: { diag: [1, 1] } } }, scheme: { kind: 'nem', step: 0.1 } });
    expect(r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`)).toContain('problem.target.cov.spectrum: has length 3, but the dimension is d = 2 (from problem.target.mean)');
  });
});
