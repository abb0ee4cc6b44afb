// Each scheme against its 1-D recurrence, written here independently of the implementation.
import { describe, expect, it } from 'vitest';
import { metric, problem, trace } from './helpers';

const s = 2; // target variance
const m = 1; // target mean
const b0 = -3;
const v0 = 5;
const g = 0.3;
const K = 40;
const p = problem([m], [[s]], [b0], [[v0]]);

const kl1 = (b: number, v: number) => 0.5 * (v / s - 1 - Math.log(v / s) + (b - m) ** 2 / s);
const w21 = (b: number, v: number) => (b - m) ** 2 + (Math.sqrt(v) - Math.sqrt(s)) ** 2;

function check(kind: 'forward' | 'ula' | 'fb' | 'jko', next: (b: number, v: number) => [number, number], forceDense = false) {
  const t = trace(p, { kind, step: g }, K, { forceDense });
  let b = b0;
  let v = v0;
  for (let k = 0; k <= K; k++) {
    const snap = t.snaps[k];
    const sv = snap.diag ? snap.diag[0] : snap.cov![0];
    expect(Math.abs(snap.mean[0] - b)).toBeLessThan(1e-12 * (1 + Math.abs(b)));
    expect(Math.abs(sv - v) / v).toBeLessThan(1e-12);
    expect(Math.abs(metric(t, 'kl')[k] - kl1(b, v))).toBeLessThan(1e-11 * kl1(b, v) + 1e-15);
    expect(Math.abs(metric(t, 'w2sq')[k] - w21(b, v))).toBeLessThan(1e-11 * w21(b, v) + 1e-15);
    expect(metric(t, 'objective')[k]).toBe(metric(t, 'kl')[k]);
    [b, v] = next(b, v);
  }
  return { b, v, t };
}

/** Root of an increasing function on (lo, hi) by bisection. */
function bisect(f: (x: number) => number, lo: number, hi: number): number {
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (f(mid) > 0) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}

describe.each([false, true])('1-D closed forms (forceDense = %s)', (forceDense) => {
  it('forward: b <- b - (g/s)(b - m), v <- (1 - g/s + g/v)^2 v', () => {
    check('forward', (b, v) => [b - (g / s) * (b - m), (1 - g / s + g / v) ** 2 * v], forceDense);
  });

  it('ula: v <- (1 - g/s)^2 v + 2g, converging to the biased 2 s^2 / (2s - g)', () => {
    check('ula', (b, v) => [b - (g / s) * (b - m), (1 - g / s) ** 2 * v + 2 * g], forceDense);
    const long = trace(p, { kind: 'ula', step: g }, 400, { forceDense });
    const vInf = (2 * s * s) / (2 * s - g);
    const last = long.snaps[400];
    expect(Math.abs((last.diag ? last.diag[0] : last.cov![0]) - vInf)).toBeLessThan(1e-12);
    expect(metric(long, 'kl')[400]).toBeCloseTo(kl1(m, vInf), 12);
    expect(metric(long, 'kl')[400]).toBeGreaterThan(1e-4); // the bias does not vanish
  });

  it('fb: gradient step on V, then v = ((sqrt(v_nu) + sqrt(v_nu + 4g)) / 2)^2', () => {
    const { t } = check('fb', (b, v) => {
      const vNu = (1 - g / s) ** 2 * v;
      return [b - (g / s) * (b - m), ((Math.sqrt(vNu) + Math.sqrt(vNu + 4 * g)) / 2) ** 2];
    }, forceDense);
    expect(metric(t, 'w2sq')[K]).toBeLessThan(1e-3);
  });

  it('jko: b = (b_k + g m / s) / (1 + g / s), v solves 1/s - 1/v + (1 - sqrt(v_k / v)) / g = 0', () => {
    check('jko', (b, v) => {
      const vNext = bisect((x) => 1 / s - 1 / x + (1 - Math.sqrt(v / x)) / g, 1e-12, 1e6);
      return [(b + (g * m) / s) / (1 + g / s), vNext];
    }, forceDense);
  });
});

describe('1-D fixed points', () => {
  it('the target is a fixed point of fb (g < s) and jko, and not of ula', () => {
    const at = problem([m], [[s]], [m], [[s]]);
    for (const kind of ['fb', 'jko'] as const) {
      const t = trace(at, { kind, step: g }, 20);
      for (const v of metric(t, 'kl')) expect(v).toBeLessThan(1e-15);
      expect(Math.abs(t.snaps[20].diag![0] - s)).toBeLessThan(1e-14);
    }
    expect(metric(trace(at, { kind: 'ula', step: g }, 5), 'kl')[5]).toBeGreaterThan(1e-4);
  });
});
