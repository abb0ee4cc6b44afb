// Targets: V and grad V against finite differences and direct density formulas written here, log Z by grid
// quadrature, exact moments by their closed forms, and the samplers' moments within Monte Carlo tolerances.
import { describe, expect, it } from 'vitest';
import { createTarget, type Target, type TargetSpec } from '../../src/particles/targets';
import { createRng } from '../../src/random';

const mixture2d: TargetSpec = {
  kind: 'mixture', weights: [0.3, 0.7], means: [[-2, 0], [2, 1]],
  covs: [[[1, 0.3], [0.3, 0.5]], { diag: [1, 2] }],
};
const gauss3d: TargetSpec = { kind: 'gaussian', mean: [1, -2, 0.5], cov: [[2, 0.5, 0.3], [0.5, 1, -0.2], [0.3, -0.2, 0.7]] };
const banana3d: TargetSpec = { kind: 'banana', a: 1, b: 0.5, scales: [1.5, 0.7, 2] };
const specs: [string, TargetSpec][] = [
  ['gaussian (full)', gauss3d],
  ['gaussian (diag)', { kind: 'gaussian', mean: [0, 3], cov: { diag: [0.5, 4] } }],
  ['mixture', mixture2d],
  ['mixture 1-D', { kind: 'mixture', weights: [1 / 3, 2 / 3], means: [[-2], [2]], covs: [[[1]], { diag: [1] }] }],
  ['banana', banana3d],
];

/** Density of N(m, S) for d <= 3 with the explicit inverse and determinant (cofactors). */
function gaussPdf(x: number[], m: number[], S: number[][]): number {
  const d = m.length;
  let det: number, inv: number[][];
  if (d === 1) { det = S[0][0]; inv = [[1 / det]]; } else if (d === 2) {
    det = S[0][0] * S[1][1] - S[0][1] * S[1][0];
    inv = [[S[1][1] / det, -S[0][1] / det], [-S[1][0] / det, S[0][0] / det]];
  } else {
    const c = (r: number, s: number) => {
      const rr = [0, 1, 2].filter((t) => t !== r), ss = [0, 1, 2].filter((t) => t !== s);
      return ((r + s) % 2 ? -1 : 1) * (S[rr[0]][ss[0]] * S[rr[1]][ss[1]] - S[rr[0]][ss[1]] * S[rr[1]][ss[0]]);
    };
    det = S[0][0] * c(0, 0) + S[0][1] * c(0, 1) + S[0][2] * c(0, 2);
    inv = [0, 1, 2].map((r) => [0, 1, 2].map((s) => c(s, r) / det));
  }
  let q = 0;
  for (let r = 0; r < d; r++) for (let s = 0; s < d; s++) q += (x[r] - m[r]) * inv[r][s] * (x[s] - m[s]);
  return Math.exp(-q / 2) / Math.sqrt((2 * Math.PI) ** d * det);
}
const full = (c: number[][] | { diag: number[] }): number[][] =>
  Array.isArray(c) ? c : c.diag.map((v, r) => c.diag.map((_, s) => (r === s ? v : 0)));

/** The density written directly from the spec (no use of the module). */
function directDensity(spec: TargetSpec, x: number[]): number {
  if (spec.kind === 'gaussian') return gaussPdf(x, spec.mean, full(spec.cov));
  if (spec.kind === 'mixture') return spec.weights.reduce((s, w, k) => s + w * gaussPdf(x, spec.means[k], full(spec.covs[k])), 0);
  const z = x.slice();
  z[1] = x[1] - spec.b * (x[0] * x[0] - spec.a * spec.a);
  return z.reduce((p, t, k) => p * Math.exp(-(t * t) / (2 * spec.scales[k] ** 2)) / (Math.sqrt(2 * Math.PI) * spec.scales[k]), 1);
}

function points(t: Target, n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const x = t.sample(n, rng);
  for (let i = 0; i < x.length; i++) x[i] += 0.3 * rng.normal(); // also off the typical set
  return x;
}

describe('targets: V, grad V, log density', () => {
  for (const [name, spec] of specs) {
    it(`${name}: grad V matches central differences (relative 1e-6)`, () => {
      const t = createTarget(spec), d = t.dim, n = 20;
      const x = points(t, n, 1), g = new Float64Array(n * d), v = new Float64Array(1);
      t.gradPotential(x, n, g);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < d; k++) {
          const p = x.slice(i * d, i * d + d), h = 1e-5;
          p[k] += h; t.potential(p, 1, v); const up = v[0];
          p[k] -= 2 * h; t.potential(p, 1, v); const dn = v[0];
          const fd = (up - dn) / (2 * h);
          expect(Math.abs(fd - g[i * d + k])).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        }
      }
    });

    it(`${name}: log density equals log of the density written from the spec`, () => {
      const t = createTarget(spec), d = t.dim, n = 30;
      const x = points(t, n, 2), ld = new Float64Array(n), v = new Float64Array(n);
      t.logDensity(x, n, ld);
      t.potential(x, n, v);
      for (let i = 0; i < n; i++) {
        const ref = Math.log(directDensity(spec, Array.from(x.slice(i * d, i * d + d))));
        expect(Math.abs(ld[i] - ref)).toBeLessThan(1e-10 * Math.max(1, Math.abs(ref)));
        expect(ld[i]).toBeCloseTo(-v[i] - t.logZ, 12);
      }
    });
  }
});

/** Midpoint-rule integral of exp(-V) over a box (1-D or 2-D). */
function integrate(t: Target, lo: number[], hi: number[], m: number): number {
  const d = t.dim, hs = lo.map((l, k) => (hi[k] - l) / m);
  const rows = d === 1 ? 1 : m;
  const x = new Float64Array(m * d), v = new Float64Array(m);
  let s = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < m; c++) {
      x[c * d] = lo[0] + (c + 0.5) * hs[0];
      if (d === 2) x[c * d + 1] = lo[1] + (r + 0.5) * hs[1];
    }
    t.potential(x, m, v);
    for (let c = 0; c < m; c++) s += Math.exp(-v[c]);
  }
  return s * hs.reduce((p, h) => p * h, 1);
}

describe('targets: log Z by grid quadrature', () => {
  it('1-D gaussian and mixture', () => {
    const g = createTarget({ kind: 'gaussian', mean: [0.5], cov: [[2.5]] });
    expect(Math.log(integrate(g, [-15], [16], 4000))).toBeCloseTo(g.logZ, 9);
    const mx = createTarget(specs[3][1]);
    expect(Math.log(integrate(mx, [-14], [14], 4000))).toBeCloseTo(mx.logZ, 9);
  });
  it('2-D gaussian (full cov), mixture and banana', () => {
    const g = createTarget({ kind: 'gaussian', mean: [1, -1], cov: [[1, 0.6], [0.6, 0.8]] });
    expect(Math.log(integrate(g, [-9, -10], [11, 8], 500))).toBeCloseTo(g.logZ, 6);
    const mx = createTarget(mixture2d);
    expect(Math.log(integrate(mx, [-10, -9], [10, 11], 500))).toBeCloseTo(mx.logZ, 6);
    const b = createTarget({ kind: 'banana', a: 1, b: 0.4, scales: [1, 0.5] });
    expect(Math.log(integrate(b, [-8, -6], [8, 30], 800))).toBeCloseTo(b.logZ, 5);
  });
});

describe('targets: exact moments and samplers', () => {
  it('closed-form moments: mixture and banana', () => {
    const mx = createTarget(mixture2d);
    // mean = sum w m; cov = sum w (S + m m^T) - mean mean^T
    const m0 = 0.3 * -2 + 0.7 * 2, m1 = 0.3 * 0 + 0.7 * 1;
    expect(Array.from(mx.mean)).toEqual([expect.closeTo(m0, 14), expect.closeTo(m1, 14)]);
    const c00 = 0.3 * (1 + 4) + 0.7 * (1 + 4) - m0 * m0, c01 = 0.3 * 0.3 + 0.7 * 2 - m0 * m1, c11 = 0.3 * 0.5 + 0.7 * (2 + 1) - m1 * m1;
    expect(Array.from(mx.cov).map((v) => +v.toFixed(12))).toEqual([c00, c01, c01, c11].map((v) => +v.toFixed(12)));
    const b = createTarget(banana3d);
    // x2 = z2 + b (z1^2 - a^2): E = b (s1^2 - a^2), Var = s2^2 + b^2 Var(z1^2) = s2^2 + 2 b^2 s1^4
    expect(b.mean[1]).toBeCloseTo(0.5 * (1.5 ** 2 - 1), 14);
    expect(b.cov[4]).toBeCloseTo(0.7 ** 2 + 2 * 0.25 * 1.5 ** 4, 14);
    expect(b.cov[1]).toBe(0);
    expect(b.gaussian).toBeNull();
    expect(createTarget(gauss3d).gaussian?.cov[1]).toBe(0.5);
  });

  for (const [name, spec] of specs) {
    it(`${name}: sample mean and covariance within 5 Monte Carlo standard errors of the exact moments`, () => {
      const t = createTarget(spec), d = t.dim, n = 100_000;
      const x = t.sample(n, createRng(7));
      for (let r = 0; r < d; r++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += x[i * d + r];
        expect(Math.abs(s / n - t.mean[r])).toBeLessThan(5 * Math.sqrt(t.cov[r * d + r] / n));
        for (let c = r; c < d; c++) {
          // standard error of the mean of (x_r - m_r)(x_c - m_c), from the sample itself
          let p = 0, p2 = 0;
          for (let i = 0; i < n; i++) {
            const q = (x[i * d + r] - t.mean[r]) * (x[i * d + c] - t.mean[c]);
            p += q; p2 += q * q;
          }
          const se = Math.sqrt((p2 / n - (p / n) ** 2) / n);
          expect(Math.abs(p / n - t.cov[r * d + c])).toBeLessThan(5 * se);
        }
      }
    });
  }

  it('is deterministic for a seed', () => {
    const t = createTarget(mixture2d);
    expect(t.sample(50, createRng(3))).toEqual(t.sample(50, createRng(3)));
  });
});

describe('targets: validation and edge cases', () => {
  const bad: [unknown, RegExp][] = [
    [{ kind: 'gaussian', mean: [0, 0], cov: [[1, 0], [0, -1]] }, /^target\.cov: must be symmetric positive definite/],
    [{ kind: 'gaussian', mean: [0, 0], cov: [[1, 0.5], [0, 1]] }, /^target\.cov: must be symmetric positive definite/],
    [{ kind: 'gaussian', mean: [0, 0], cov: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] }, /^target\.cov: must be a 2 x 2/],
    [{ kind: 'gaussian', mean: [0, NaN], cov: { diag: [1, 1] } }, /^target\.mean\[1\]: must be a finite number/],
    [{ kind: 'gaussian', mean: [0, 0], cov: { diag: [1, 0] } }, /^target\.cov\.diag\[1\]: must be > 0/],
    [{ kind: 'mixture', weights: [0.5, 0.6], means: [[0], [1]], covs: [[[1]], [[1]]] }, /^target\.weights: must sum to 1/],
    [{ kind: 'mixture', weights: [1.5, -0.5], means: [[0], [1]], covs: [[[1]], [[1]]] }, /^target\.weights\[1\]: must be > 0/],
    [{ kind: 'mixture', weights: [0.5, 0.5], means: [[0, 0], [1]], covs: [{ diag: [1, 1] }, { diag: [1, 1] }] }, /^target\.means\[1\]: must have length 2/],
    [{ kind: 'mixture', weights: [0.5, 0.5], means: [[0], [1]], covs: [[[1]], [[0]]] }, /^target\.covs\[1\]: must be symmetric positive definite/],
    [{ kind: 'mixture', weights: [0.5, 0.5], means: [[0], [1]], covs: [[[1]]] }, /^target\.covs: must hold 2/],
    [{ kind: 'banana', a: 1, b: 1, scales: [1] }, /^target\.scales: must have length >= 2/],
    [{ kind: 'banana', a: 1, b: 1, scales: [1, 0] }, /^target\.scales\[1\]: must be > 0/],
    [{ kind: 'banana', a: 'x', b: 1, scales: [1, 1] }, /^target\.a: must be a finite number/],
    [{ kind: 'student' }, /^target\.kind: must be/],
  ];
  for (const [spec, re] of bad) {
    it(`rejects ${JSON.stringify(spec)}`, () => {
      expect(() => createTarget(spec as TargetSpec)).toThrow(RangeError);
      expect(() => createTarget(spec as TargetSpec)).toThrow(re);
    });
  }

  it('NaN coordinates propagate to NaN (V and grad V); huge and tiny scales stay accurate', () => {
    for (const [, spec] of specs) {
      const t = createTarget(spec), d = t.dim;
      const x = new Float64Array(d).fill(NaN), v = new Float64Array(1), g = new Float64Array(d);
      t.potential(x, 1, v);
      t.gradPotential(x, 1, g);
      expect(v[0]).toBeNaN();
      expect(Array.from(g).every(Number.isNaN)).toBe(true);
    }
    for (const s of [1e-150, 1e150]) {
      const t = createTarget({ kind: 'mixture', weights: [0.5, 0.5], means: [[0], [2 * s]], covs: [[[s * s]], { diag: [s * s] }] });
      const x = Float64Array.of(s), v = new Float64Array(1), g = new Float64Array(1);
      t.potential(x, 1, v);
      t.gradPotential(x, 1, g);
      // at the midpoint both components agree: V = 1/2 + log(sqrt(2 pi) s), grad V = 0
      expect(v[0]).toBeCloseTo(0.5 + 0.5 * Math.log(2 * Math.PI) + Math.log(s), 10);
      expect(Math.abs(g[0])).toBeLessThan(1e-12 / s);
    }
  });
});
