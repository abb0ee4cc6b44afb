// Each separable KL prox against a direct solve of the same 1-D convex problem written here (bisection on the
// derivative of KL(p | z) + s f(p) in log p), the closed forms of Peyre 2015 §4, and m = 2 against Lambert W.
import { describe, expect, it } from 'vitest';
import { separableProx, type SeparableTerms } from '../../src/grid/prox';

/** argmin_p p log(p/z) - p + z + s f(p) by bisection on the (increasing) derivative in y = log p. */
function direct(z: number, s: number, v: number, t: SeparableTerms): number {
  if (z === 0) return -Infinity;
  const h = t.cellVolume, eps = t.entropy ?? 0, eta = t.porous?.weight ?? 0, m = t.porous?.m ?? 2;
  const dphi = (y: number) => y - Math.log(z) + s * (v + eps * (y - Math.log(h)) + (eta > 0 ? (eta * m / (m - 1)) * (Math.exp((m - 1) * (y - Math.log(h))) - 1) : 0));
  let lo = -2000, hi = 2000;
  for (let i = 0; i < 300; i++) { const mid = (lo + hi) / 2; if (dphi(mid) > 0) hi = mid; else lo = mid; }
  const y = (lo + hi) / 2;
  return t.cap == null ? y : Math.min(y, Math.log(t.cap * h));
}

/** Lambert W0 by Halley's iterations. */
function lambertW(x: number): number {
  let w = x < 1 ? x : Math.log(x) - Math.log(Math.log(x) + 1e-300 + 1);
  for (let i = 0; i < 100; i++) {
    const e = Math.exp(w), f = w * e - x;
    const dw = f / (e * (w + 1) - ((w + 2) * f) / (2 * w + 2));
    w -= dw;
    if (Math.abs(dw) < 1e-15 * (1 + Math.abs(w))) break;
  }
  return w;
}

const zs = [1e-300, 1e-12, 1e-3, 0.2, 1, 7, 1e6, 1e250];
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('separable KL proxes', () => {
  const cases: [string, SeparableTerms][] = [
    ['potential', { cellVolume: 0.1, potential: Float64Array.from([0.3, -1, 2.5]) }],
    ['entropy', { cellVolume: 0.05, entropy: 1 }],
    ['potential + entropy', { cellVolume: 0.02, potential: Float64Array.from([0.3, -1, 2.5]), entropy: 0.7 }],
    ['e_2', { cellVolume: 0.03, porous: { weight: 1, m: 2 } }],
    ['e_3 + potential', { cellVolume: 0.01, potential: Float64Array.from([0.3, -1, 2.5]), porous: { weight: 1, m: 3 } }],
    ['e_1.5 + entropy', { cellVolume: 0.2, entropy: 0.3, porous: { weight: 2, m: 1.5 } }],
    ['potential + cap', { cellVolume: 0.04, potential: Float64Array.from([0.3, -1, 2.5]), cap: 3 }],
    ['potential + entropy + cap', { cellVolume: 0.04, potential: Float64Array.from([0.3, -1, 2.5]), entropy: 0.1, cap: 3 }],
  ];
  it.each(cases)('%s: prox and proxLog agree with the direct solve', (_name, terms) => {
    const P = separableProx(terms);
    for (const s of [0.01, 1, 50]) {
      const z = Float64Array.from(zs.flatMap((v) => [v, v, v]));
      const out = new Float64Array(z.length), outLog = new Float64Array(z.length);
      P.prox(z, s, out);
      P.proxLog(z.map(Math.log), s, outLog);
      z.forEach((zi, i) => {
        const v = terms.potential ? terms.potential[i % 3] : 0;
        const y = direct(zi, s, v, terms);
        if (Math.abs(y) < 690) expect(rel(out[i], Math.exp(y)), `z=${zi} s=${s}`).toBeLessThan(1e-9);
        expect(Math.abs(outLog[i] - y), `z=${zi} s=${s} y=${y}`).toBeLessThan(1e-9 * (1 + Math.abs(y)));
      });
    }
  });

  it('entropy and potential closed forms (Peyre 2015 §4): z^(1/(1+s)) and z e^(-s V)', () => {
    const z = Float64Array.from([1e-8, 0.5, 3]);
    const out = new Float64Array(3);
    separableProx({ cellVolume: 1, entropy: 1 }).prox(z, 2, out);
    z.forEach((zi, i) => expect(out[i]).toBeCloseTo(Math.pow(zi, 1 / 3), 14));
    const V = Float64Array.from([0.5, -2, 1]);
    separableProx({ cellVolume: 1, potential: V }).prox(z, 0.7, out);
    z.forEach((zi, i) => expect(rel(out[i], zi * Math.exp(-0.7 * V[i]))).toBeLessThan(1e-14));
  });

  it('e_2 against Lambert W: p = W(2 s z e^(2s)) / (2 s) for h = 1', () => {
    const P = separableProx({ cellVolume: 1, porous: { weight: 1, m: 2 } });
    for (const s of [0.05, 1, 10]) {
      const z = Float64Array.from([1e-6, 0.1, 1, 5, 100]);
      const out = new Float64Array(z.length);
      P.prox(z, s, out);
      z.forEach((zi, i) => expect(rel(out[i], lambertW(2 * s * zi * Math.exp(2 * s)) / (2 * s))).toBeLessThan(1e-12));
    }
    expect(P.lastNewton()).toBeLessThan(30);
  });

  it('zero mass stays zero; the value is the functional', () => {
    const P = separableProx({ cellVolume: 0.5, potential: Float64Array.from([1, 2]), entropy: 1, porous: { weight: 1, m: 2 } });
    const out = new Float64Array(2);
    P.prox(Float64Array.from([0, 1]), 1, out);
    expect(out[0]).toBe(0);
    const lo = new Float64Array(2);
    P.proxLog(Float64Array.from([-Infinity, 0]), 1, lo);
    expect(lo[0]).toBe(-Infinity);
    const p = Float64Array.from([0.2, 0.3]);
    const want = (1 * 0.2 + 2 * 0.3) + (0.2 * (Math.log(0.4) - 1) + 0.3 * (Math.log(0.6) - 1)) + (0.2 * (0.4 - 2) + 0.3 * (0.6 - 2));
    expect(P.value(p)).toBeCloseTo(want, 14);
  });

  it('rejects bad terms', () => {
    expect(() => separableProx({ cellVolume: 0 })).toThrow(/cellVolume/);
    expect(() => separableProx({ cellVolume: 1, porous: { weight: 1, m: 1 } })).toThrow(/m must be > 1/);
  });
});
