// Every hand-derived gradient of src/nets against central finite differences of a direct formula written here.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/random';
import { fastTanh } from '../../src/nets/activation';
import { gradAtParticles, gradFirstVariationAt, neuronDim, risk, type NetArchitecture, type NetData } from '../../src/nets/model';
import { applyMap, createResidualMap, logAbsDet, mapGradient, mapLossGradient, mapScratch, resetMap } from '../../src/nets/residual-map';

const H = 1e-5;

/** Direct f(x_j) = sum_i w_i c_i phi(v_i . x~_j), written independently of src/nets. */
function directRisk(arch: NetArchitecture, theta: Float64Array, m: number, data: NetData): number {
  const p = data.p, dim = 1 + p + (arch.bias ? 1 : 0);
  let s = 0;
  for (let j = 0; j < data.n; j++) {
    let f = 0;
    for (let i = 0; i < m; i++) {
      let z = arch.bias ? theta[i * dim + dim - 1] : 0;
      for (let c = 0; c < p; c++) z += theta[i * dim + 1 + c] * data.x[j * p + c];
      f += (theta[i * dim] * (arch.activation === 'tanh' ? Math.tanh(z) : Math.max(z, 0))) / m;
    }
    s += (f - data.y[j]) ** 2;
  }
  return s / data.n;
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let k = 0; k < a.length; k++) { num = Math.max(num, Math.abs(a[k] - b[k])); den = Math.max(den, Math.abs(b[k])); }
  return num / den;
}

function dataSet(seed: number, n: number, p: number): NetData {
  const rng = createRng(seed);
  const x = rng.fillNormal(new Float64Array(n * p));
  const y = rng.fillNormal(new Float64Array(n));
  return { n, p, x, y };
}

const ARCHS: [string, NetArchitecture][] = [
  ['mean-field tanh', { activation: 'tanh', bias: false }],
  ['mean-field relu', { activation: 'relu', bias: false }],
  ['relu-2homogeneous', { activation: 'relu', bias: true }],
];

describe('two-layer network gradients', () => {
  for (const [name, arch] of ARCHS) {
    it(`${name}: m dR/dtheta_i (stored and recomputed activations) matches central differences of the direct risk`, () => {
      const data = dataSet(1, 30, 3);
      const m = 7, dim = neuronDim(arch, data.p);
      const theta = createRng(2).fillNormal(new Float64Array(m * dim));
      const stored = new Float64Array(m * dim), recomputed = new Float64Array(m * dim), r = new Float64Array(data.n);
      const R = gradAtParticles(arch, theta, m, null, data, stored, r, new Float64Array(m * data.n));
      gradAtParticles(arch, theta, m, null, data, recomputed, r, null);
      expect(R).toBeCloseTo(directRisk(arch, theta, m, data), 12);
      const fd = new Float64Array(m * dim);
      for (let k = 0; k < m * dim; k++) {
        const t = Float64Array.from(theta);
        t[k] = theta[k] + H; const up = directRisk(arch, t, m, data);
        t[k] = theta[k] - H; const dn = directRisk(arch, t, m, data);
        fd[k] = (m * (up - dn)) / (2 * H);
      }
      expect(relErr(stored, fd)).toBeLessThan(1e-6);
      expect(relErr(recomputed, stored)).toBeLessThan(1e-13);
    });

    it(`${name}: grad (dR/dmu) at arbitrary points matches central differences of the first variation`, () => {
      const data = dataSet(3, 25, 2);
      const m = 5, dim = neuronDim(arch, data.p);
      const theta = createRng(4).fillNormal(new Float64Array(m * dim));
      const at = createRng(5).fillNormal(new Float64Array(3 * dim));
      const r = new Float64Array(data.n);
      risk(arch, theta, m, null, data, r);
      const got = new Float64Array(3 * dim);
      gradFirstVariationAt(arch, r, data, at, 3, got);
      // dR/dmu (u) = (2/n) sum_j r_j c phi(v . x~_j): differentiate this formula numerically
      const first = (u: Float64Array, o: number): number => {
        let s = 0;
        for (let j = 0; j < data.n; j++) {
          let z = arch.bias ? u[o + dim - 1] : 0;
          for (let c = 0; c < data.p; c++) z += u[o + 1 + c] * data.x[j * data.p + c];
          s += r[j] * u[o] * (arch.activation === 'tanh' ? Math.tanh(z) : Math.max(z, 0));
        }
        return (2 * s) / data.n;
      };
      const fd = new Float64Array(3 * dim);
      for (let k = 0; k < 3 * dim; k++) {
        const u = Float64Array.from(at), o = Math.floor(k / dim) * dim;
        u[k] = at[k] + H; const up = first(u, o);
        u[k] = at[k] - H; const dn = first(u, o);
        fd[k] = (up - dn) / (2 * H);
      }
      expect(relErr(got, fd)).toBeLessThan(1e-6);
    });
  }

  it('weighted particles: the gradient at particle i is grad dR/dmu, and w_i times it is dR/dtheta_i', () => {
    const arch: NetArchitecture = { activation: 'tanh', bias: false };
    const data = dataSet(6, 20, 2), m = 4, dim = 3;
    const theta = createRng(7).fillNormal(new Float64Array(m * dim));
    const w = Float64Array.from([0.1, 0.2, 0.3, 0.4]);
    const g = new Float64Array(m * dim), r = new Float64Array(data.n);
    gradAtParticles(arch, theta, m, w, data, g, r, new Float64Array(m * data.n));
    const R = (t: Float64Array) => {
      let s = 0;
      for (let j = 0; j < data.n; j++) {
        let f = 0;
        for (let i = 0; i < m; i++) f += w[i] * t[i * 3] * Math.tanh(t[i * 3 + 1] * data.x[2 * j] + t[i * 3 + 2] * data.x[2 * j + 1]);
        s += (f - data.y[j]) ** 2;
      }
      return s / data.n;
    };
    for (let k = 0; k < m * dim; k++) {
      const t = Float64Array.from(theta);
      t[k] += H; const up = R(t);
      t[k] -= 2 * H; const dn = R(t);
      expect(Math.abs(w[Math.floor(k / dim)] * g[k] - (up - dn) / (2 * H))).toBeLessThan(1e-6 * Math.max(1e-3, Math.abs(w[0] * g[k])));
    }
  });

  it('fastTanh is Math.tanh to 1e-13 relative, keeps its sign and saturates, NaN stays NaN', () => {
    let worst = 0;
    for (let z = -30; z <= 30; z += 0.000731) worst = Math.max(worst, Math.abs(fastTanh(z) - Math.tanh(z)) / Math.max(Math.abs(Math.tanh(z)), 1e-300));
    for (const z of [1e-300, -1e-20, 1e-9, 0.00999, 0.01, 0.0100001]) worst = Math.max(worst, Math.abs(fastTanh(z) - Math.tanh(z)) / Math.abs(Math.tanh(z)));
    expect(worst).toBeLessThan(1e-13);
    expect(fastTanh(0)).toBe(0);
    expect(fastTanh(1e6)).toBe(1);
    expect(fastTanh(-1e6)).toBe(-1);
    expect(fastTanh(NaN)).toBeNaN();
  });
});

/** det by the Leibniz formula (sum over permutations), independent of the LU code. */
function leibnizDet(A: number[], d: number): number {
  const perm = [...Array(d).keys()];
  let total = 0;
  const rec = (k: number): void => {
    if (k === d) {
      let sign = 1;
      for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) if (perm[i] > perm[j]) sign = -sign;
      let prod = sign;
      for (let i = 0; i < d; i++) prod *= A[i * d + perm[i]];
      total += prod;
      return;
    }
    for (let i = k; i < d; i++) {
      [perm[k], perm[i]] = [perm[i], perm[k]];
      rec(k + 1);
      [perm[k], perm[i]] = [perm[i], perm[k]];
    }
  };
  rec(0);
  return total;
}

describe('the learned map of jko-map', () => {
  it('logAbsDet matches the direct determinant (Leibniz) and returns the inverse; singular gives -Infinity', () => {
    const rng = createRng(11);
    for (const d of [1, 2, 3, 4, 5]) {
      const A = Array.from({ length: d * d }, () => rng.normal());
      const inv = new Float64Array(d * d);
      const ld = logAbsDet(Float64Array.from(A), d, inv);
      expect(ld).toBeCloseTo(Math.log(Math.abs(leibnizDet(A, d))), 11);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += A[i * d + k] * inv[k * d + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
    expect(logAbsDet(Float64Array.from([1, 2, 2, 4]), 2)).toBe(-Infinity);
    expect(logAbsDet(Float64Array.from([1e-200, 0, 0, 1e-200]), 2)).toBeCloseTo(2 * Math.log(1e-200), 8);
  });

  it('the inner-loss gradient in (W1, c, W2) matches central differences (tau > 0, W2 != 0, d = 3)', () => {
    const d = 3, q = 6, n = 5, g = 0.3, tau = 0.7;
    const rng = createRng(12);
    const map = createResidualMap(d, q);
    resetMap(map, rng);
    for (let k = 0; k < map.w2.length; k++) map.w2[k] = 0.3 * rng.normal();
    const theta = rng.fillNormal(new Float64Array(n * d));
    const w = Float64Array.from([0.1, 0.3, 0.2, 0.25, 0.15]);
    // E(nu) = sum_i w_i V(y_i), V(y) = sum_a (y_a^2 / 2 + sin y_a)
    const loss = (): number => {
      let L = 0;
      for (let i = 0; i < n; i++) {
        const y: number[] = [];
        const D: number[] = [];
        for (let l = 0; l < q; l++) {
          let z = map.c[l];
          for (let b = 0; b < d; b++) z += map.w1[l * d + b] * theta[i * d + b];
          D.push(1 - Math.tanh(z) ** 2);
          for (let a = 0; a < d; a++) y[a] = (y[a] ?? theta[i * d + a]) + map.w2[a * q + l] * Math.tanh(z);
        }
        const J: number[] = [];
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
          let s = a === b ? 1 : 0;
          for (let l = 0; l < q; l++) s += map.w2[a * q + l] * D[l] * map.w1[l * d + b];
          J.push(s);
        }
        let V = 0, prox = 0;
        for (let a = 0; a < d; a++) { V += y[a] ** 2 / 2 + Math.sin(y[a]); prox += (y[a] - theta[i * d + a]) ** 2; }
        L += w[i] * (V + prox / (2 * g) - tau * Math.log(Math.abs(leibnizDet(J, d))));
      }
      return L;
    };
    const y = new Float64Array(n * d), h = new Float64Array(n * q), gy = new Float64Array(n * d);
    applyMap(map, theta, n, y, h);
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) {
      const c = i * d + a;
      gy[c] = w[i] * (y[c] + Math.cos(y[c]) + (y[c] - theta[c]) / g);
    }
    const grad = mapGradient(map);
    mapLossGradient(map, theta, n, w, h, gy, tau, grad, mapScratch(map));
    for (const [key, arr] of [['w1', map.w1], ['c', map.c], ['w2', map.w2]] as const) {
      const fd = new Float64Array(arr.length);
      for (let k = 0; k < arr.length; k++) {
        const v = arr[k];
        arr[k] = v + H; const up = loss();
        arr[k] = v - H; const dn = loss();
        arr[k] = v;
        fd[k] = (up - dn) / (2 * H);
      }
      expect(relErr(grad[key], fd), key).toBeLessThan(1e-6);
    }
  });
});
