// fastExp against Math.exp over the whole double range, and its edge cases.
import { describe, expect, it } from 'vitest';
import { fastExp } from '../../src/particles/fastexp';
import { createRng } from '../../src/random';

describe('fastExp', () => {
  it('is within 1e-15 relative of Math.exp on [-800, 720] and exact at the edges', () => {
    const r = createRng(1);
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const x = i % 2 ? -800 + 1520 * r.uniform() : -40 * r.uniform();
      const e = Math.exp(x);
      if (e === 0 || !Number.isFinite(e)) { expect(fastExp(x)).toBe(e); continue; }
      worst = Math.max(worst, Math.abs(fastExp(x) / e - 1));
    }
    expect(worst).toBeLessThan(1e-15);
    for (const x of [0, -0, 1e-300, -1e-300, 1, -1, Math.LN2, -707.9, 708.9, -708, 709, -745, -746]) {
      expect(Math.abs(fastExp(x) - Math.exp(x))).toBeLessThanOrEqual(4e-16 * Math.exp(x));
    }
    expect(fastExp(Infinity)).toBe(Infinity);
    expect(fastExp(-Infinity)).toBe(0);
    expect(fastExp(NaN)).toBeNaN();
    expect(fastExp(0)).toBe(1);
  });
});
