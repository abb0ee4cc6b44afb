// Every case of test/fixtures/ot/pot-reference.json (a copy of ../shared/fixtures; POT 0.8.2 + SciPy) against the toolbox and the CLI.
import { describe, expect, it } from 'vitest';
import { exactOtPoints } from '../../src/ot/exact';
import { exactOt1d } from '../../src/ot/exact1d';
import { sinkhornPoints } from '../../src/ot/sinkhorn';
import { loadFixture, rel } from './helpers';

const fx = loadFixture();

describe('POT reference: exact OT (squared W2), 1e-9 relative', () => {
  it('has the cases the issue describes', () => {
    expect(fx.exact.length).toBeGreaterThanOrEqual(12);
    expect(fx.exact1d.length).toBeGreaterThanOrEqual(3);
    expect(fx.sinkhorn.length).toBeGreaterThanOrEqual(24);
  });
  fx.exact.forEach((c, k) => {
    it(`exact case ${k} (n = ${c.x.length}, m = ${c.y.length}, d = ${c.x[0].length})`, () => {
      const r = exactOtPoints(c.x, c.y, c.a, c.b);
      expect(r.status).toBe('optimal');
      expect(rel(r.value, c.value)).toBeLessThan(1e-9);
      // General solver as well, whatever path 'auto' took.
      const g = exactOtPoints(c.x, c.y, c.a, c.b, { method: 'network-simplex' });
      expect(rel(g.value, c.value)).toBeLessThan(1e-9);
    });
  });
  fx.exact1d.forEach((c, k) => {
    it(`exact1d case ${k} (n = ${c.x.length}, m = ${c.y.length})`, () => {
      const r = exactOt1d(c.x, c.y, c.a, c.b);
      expect(rel(r.value, c.value)).toBeLessThan(1e-9);
    });
  });
});

describe('POT reference: Sinkhorn <P, C>, 1e-6 relative', () => {
  fx.sinkhorn.forEach((c, k) => {
    // POT generated the fixture with numItermax = 200000. Two reg = 0.1 cases (k = 1: five 1-D points over a cost
    // range of 76 reg; k = 9: 30 points, cost range 409 reg) contract so slowly (rate 1 - 1e-5 per iteration) that
    // POT stopped on that cap with a column error of 8e-7 and 1.5e-7 (the fixture's col_marginal_err). Checked with
    // /usr/bin/python3 + POT 0.8.2: 200000 iterations of ot.sinkhorn reproduce the stored value to 1e-15, and 1e6
    // iterations still move it by 6e-7 and 1e-6 relative, so the stored value is POT's iterate, not the optimum.
    // For those cases we (a) replay POT's iteration (plain kernel Sinkhorn, no early stop, 200000 iterations) and
    // compare to 1e-9, and (b) check that our default solve (Sinkhorn + Newton polish) reaches a marginal error
    // below 1e-12 and a value within 1e-6 of the stored one (measured: 7.9e-7 and 9.4e-7), yet not equal to it.
    const potStoppedEarly = c.col_marginal_err > 1e-9;
    if (!potStoppedEarly) {
      it(`sinkhorn case ${k} (n = ${c.x.length}, reg = ${c.reg})`, () => {
        const r = sinkhornPoints(c.x, c.y, c.a, c.b, { reg: c.reg, tol: 1e-13, maxIter: 100000 });
        expect(r.converged).toBe(true);
        expect(rel(r.value, c.value)).toBeLessThan(1e-6);
        // Both forms where both are stable (cost range / reg <= 410 here).
        const l = sinkhornPoints(c.x, c.y, c.a, c.b, { reg: c.reg, tol: 1e-13, maxIter: 100000, method: 'log' });
        expect(rel(l.value, c.value)).toBeLessThan(1e-6);
        expect(rel(l.value, r.value)).toBeLessThan(1e-9);
      });
    } else {
      it(`sinkhorn case ${k} (n = ${c.x.length}, reg = ${c.reg}): POT stopped on its iteration cap`, () => {
        const replay = sinkhornPoints(c.x, c.y, c.a, c.b, { reg: c.reg, method: 'kernel', overrelax: false, tol: 0, maxIter: 200000, checkEvery: 1000000 });
        expect(replay.iterations).toBe(200000);
        expect(rel(replay.value, c.value)).toBeLessThan(1e-9);
        const conv = sinkhornPoints(c.x, c.y, c.a, c.b, { reg: c.reg, tol: 1e-12, maxIter: 100000 });
        expect(conv.converged).toBe(true);
        expect(Math.max(conv.rowError, conv.colError)).toBeLessThan(1e-12);
        expect(rel(conv.value, c.value)).toBeLessThan(1e-6);
        expect(rel(conv.value, c.value)).toBeGreaterThan(1e-9); // really a different (better converged) point
      });
    }
  });
});
