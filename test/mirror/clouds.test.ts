// Distribution matching numerics (sliced W2^2, Sinkhorn divergence, energy distance gradients) against direct
// formulas and central differences of the OT toolbox's values; CSV import and its errors; the matching problem.
import { describe, expect, it } from 'vitest';
import { addEntropicTransformGrad, energyDistanceGrad, randomDirections, slicedValueAndGrad } from '../../src/clouds/divergences';
import { CsvCloudError, formatCsvCloud, MAX_CSV_POINTS, parseCsvCloud } from '../../src/clouds/csv';
import { energyDistance, sinkhornDivergence } from '../../src/ot/index';
import { createRng } from '../../src/random';
import { parseSetup } from '../../src/setup/schema';
import { metricsAt, simOf } from './helpers';

const d = 2;
const X = [[0.1, 0.3], [-0.4, 1.2], [0.9, -0.5], [1.5, 0.2], [-1.1, -0.7]];
const Y = [[0.5, 0.5], [2, 1], [-0.3, 0.8], [1.2, -1.4], [0.2, 0.1], [-0.8, 1.9], [0.6, -0.2]];
const flat = (p: number[][]) => Float64Array.from(p.flat());
const cloud = (x: Float64Array) => ({ n: x.length / d, dim: d, data: x });

/** Central differences of f in every coordinate of x, times n (the Wasserstein gradient of a discrepancy). */
function fdGrad(f: (x: Float64Array) => number, x: Float64Array, n: number, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const xp = Float64Array.from(x); xp[k] += h;
    const xm = Float64Array.from(x); xm[k] -= h;
    g[k] = (n * (f(xp) - f(xm))) / (2 * h);
  }
  return g;
}

/** W2^2 of 1-D empirical measures, uniform weights: quantile functions on the common grid of width 1/(n m). */
function w2sq1d(a: number[], b: number[]): number {
  const sa = [...a].sort((u, v) => u - v);
  const sb = [...b].sort((u, v) => u - v);
  const n = sa.length, m = sb.length;
  let s = 0;
  for (let t = 0; t < n * m; t++) s += (sa[Math.floor(t / m)] - sb[Math.floor(t / n)]) ** 2;
  return s / (n * m);
}

describe('sliced W2^2', () => {
  const theta = randomDirections(7, d, ((r) => () => r.normal())(createRng(1)));
  const proj = (p: number[][], l: number) => p.map((q) => q[0] * theta[2 * l] + q[1] * theta[2 * l + 1]);
  const direct = (xs: number[][], ys: number[][]) => Array.from({ length: 7 }, (_, l) => w2sq1d(proj(xs, l), proj(ys, l))).reduce((s, v) => s + v, 0) / 7;

  it('value: the mean over directions of exact 1-D W2^2, for n = m and n != m', () => {
    expect(slicedValueAndGrad(flat(X), 5, flat(Y), 7, d, theta, 7, null)).toBeCloseTo(direct(X, Y), 13);
    expect(slicedValueAndGrad(flat(X), 5, flat(Y.slice(0, 5)), 5, d, theta, 7, null)).toBeCloseTo(direct(X, Y.slice(0, 5)), 13);
    const dup = [...X, X[0], X[0]]; // ties along every direction
    const g = new Float64Array(14);
    expect(slicedValueAndGrad(flat(dup), 7, flat(Y), 7, d, theta, 7, g)).toBeCloseTo(direct(dup, Y), 13);
    expect(g.every(Number.isFinite)).toBe(true);
    for (let l = 0; l < 7; l++) expect(Math.hypot(theta[2 * l], theta[2 * l + 1])).toBeCloseTo(1, 14);
  });

  it('gradient: n times the central differences of the value (fixed directions)', () => {
    const x = flat(X);
    const g = new Float64Array(10);
    slicedValueAndGrad(x, 5, flat(Y), 7, d, theta, 7, g);
    const fd = fdGrad((z) => slicedValueAndGrad(z, 5, flat(Y), 7, d, theta, 7, null), x, 5);
    for (let k = 0; k < 10; k++) expect(g[k]).toBeCloseTo(fd[k], 6);
  });
});

describe('Sinkhorn divergence and energy distance gradients', () => {
  it('Sinkhorn: grad f_{mu,nu} - grad f_{mu,mu} is n times the central differences of S_eps (toolbox value)', () => {
    const eps = 0.5;
    const opts = { reg: eps, tol: 1e-13, maxIter: 100000 };
    const x = flat(X);
    const y = flat(Y);
    const r = sinkhornDivergence(cloud(x), cloud(y), null, null, opts);
    expect(r.converged).toBe(true);
    const g = new Float64Array(10);
    addEntropicTransformGrad(x, 5, y, 7, d, r.ab.g, eps, 1, g);
    addEntropicTransformGrad(x, 5, x, 5, d, r.aa.g, eps, -1, g);
    const fd = fdGrad((z) => sinkhornDivergence(cloud(z), cloud(y), null, null, opts).value, x, 5, 1e-5);
    for (let k = 0; k < 10; k++) expect(g[k]).toBeCloseTo(fd[k], 6);
  });

  it('energy distance: the gradient against central differences of the toolbox value, and a zero difference contributes 0', () => {
    const x = flat(X);
    const y = flat(Y);
    const g = new Float64Array(10);
    energyDistanceGrad(x, 5, y, 7, d, x, 5, g);
    const fd = fdGrad((z) => energyDistance(cloud(z), cloud(y), null, null), x, 5);
    for (let k = 0; k < 10; k++) expect(g[k]).toBeCloseTo(fd[k], 6);
    const one = new Float64Array(2);
    energyDistanceGrad(Float64Array.of(1, 1), 1, Float64Array.of(1, 1), 1, d, Float64Array.of(1, 1), 1, one);
    expect(Array.from(one)).toEqual([0, 0]);
  });
});

describe('CSV point clouds', () => {
  it('parses with or without a header, commas / semicolons / tabs, CRLF, a BOM, comments and blank lines', () => {
    expect(parseCsvCloud('x,y\n1,2\n3.5,-4e-1\n')).toEqual({ points: [[1, 2], [3.5, -0.4]], dim: 2, header: ['x', 'y'] });
    expect(parseCsvCloud('\uFEFF1;2;3\r\n\r\n# note\r\n4;5;6\r\n').points).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(parseCsvCloud('"a"\t"b"\n.5\t+7\n').points).toEqual([[0.5, 7]]);
    const pts = [[0.1, 1 / 3], [-2.5e-10, 12345.678]];
    expect(parseCsvCloud(formatCsvCloud(pts)).points).toEqual(pts);
  });

  it.each([
    ['', /^c.csv: the file is empty/],
    ['# only a comment\n\n', /^c.csv: the file is empty/],
    ['x,y\n', /^c.csv: the file has a header but no rows of numbers/],
    ['1,2\n3,4\n5\n', /^c.csv, line 3: has 1 values, but the first row \(line 1\) has 2$/],
    ['a,b,c\n1,2,3\n1,2\n', /^c.csv, line 3: has 2 values, but the header has 3$/],
    ['1,2\n3,abc\n', /^c.csv, line 2: column 2: "abc" is not a number$/],
    ['1,2\n3,NaN\n', /^c.csv, line 2: column 2: "NaN" is not a number$/],
    ['1,2\n3,1e999\n', /^c.csv, line 2: column 2: 1e999 is not a finite number$/],
    ['1,,2\n', /^c.csv, line 1: column 2: "" is not a number$/],
  ])('rejects %j with an error naming the line', (text, pattern) => {
    expect(() => parseCsvCloud(text, 'c.csv')).toThrow(pattern);
    expect(() => parseCsvCloud(text, 'c.csv')).toThrow(CsvCloudError);
  });

  it('rejects too many points (cap stated) and a dimension that differs from the other cloud', () => {
    expect(MAX_CSV_POINTS).toBe(100_000);
    expect(() => parseCsvCloud('1\n2\n3\n', 'c.csv', { maxPoints: 2 })).toThrow('c.csv: has 3 points; at most 2 are allowed');
    expect(() => parseCsvCloud('1,2,3\n', 'target.csv', { dim: 2 })).toThrow('target.csv: has points of dimension 3, but the other cloud has dimension 2');
  });
});

describe('problem matching', () => {
  const problem = (divergence: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ kind: 'matching', target: { kind: 'points', points: Y }, init: { kind: 'points', points: X }, divergence, ...extra });

  it('checks dimensions and the minibatch size, naming the field', () => {
    const bad = parseSetup({ name: 't', iterations: 1, problem: { ...problem({ kind: 'energy' }), init: { kind: 'points', points: [[1, 2, 3]] } }, scheme: { kind: 'gd', step: 0.1 } });
    expect(bad.ok ? [] : bad.issues.map((i) => `${i.path}: ${i.message}`)).toContain("problem.init.points[0]: has 3 coordinates, but the target's dimension is d = 2");
    const mb = parseSetup({ name: 't', iterations: 1, problem: problem({ kind: 'energy' }, { minibatch: 8 }), scheme: { kind: 'gd', step: 0.1 } });
    expect(mb.ok ? [] : mb.issues.map((i) => `${i.path}: ${i.message}`)).toContain('problem.minibatch: is 8, but the target has only 7 points');
  });

  it.each([[{ kind: 'energy' }], [{ kind: 'sinkhorn', eps: 0.5 }], [{ kind: 'sliced', projections: 20 }]])('gd and pgd (h*) halve %o in 40 steps (gd on S_eps at every step)', (divergence) => {
    for (const scheme of [{ kind: 'gd', step: 0.05 }, { kind: 'pgd', step: 0.05, preconditioner: { kind: 'h-star', a: 1.5 } }]) {
      // target: X translated, so that every discrepancy can reach 0
      const sim = simOf({ ...problem(divergence), target: { kind: 'points', points: X.map((p) => [p[0] + 1, p[1] + 0.5]) } }, scheme);
      const f0 = metricsAt(sim, 0).objective;
      let prev = f0;
      for (let k = 0; k < 40; k++) {
        sim.step(k);
        const f = metricsAt(sim, k + 1).objective;
        // gd decreases S_eps (smooth) at every step; the energy distance has kinks where points meet and the sliced
        // gradient is random, and pgd's h* amplifies small gradients: those only decrease overall
        if (divergence.kind === 'sinkhorn' && scheme.kind === 'gd') expect(f).toBeLessThanOrEqual(prev + 1e-9);
        prev = f;
      }
      expect(prev).toBeLessThan(0.5 * f0);
    }
  });

  it('a fresh minibatch changes the gradient between steps but not the objective\'s definition', () => {
    const a = simOf(problem({ kind: 'energy' }, { minibatch: 3 }), { kind: 'gd', step: 0.2 });
    const b = simOf(problem({ kind: 'energy' }), { kind: 'gd', step: 0.2 });
    expect(metricsAt(a, 0).objective).toBe(metricsAt(b, 0).objective);
    a.step(0); b.step(0);
    expect(metricsAt(a, 1).objective).not.toBe(metricsAt(b, 1).objective);
  });
});
