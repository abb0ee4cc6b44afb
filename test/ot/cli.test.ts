// `wgflab ot <method> <case.json>` through runOtCommand: fixture cases, output fields, exit codes and messages.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runOtCommand } from '../../main/cli/ot';
import { loadFixture, rel } from './helpers';

const fx = loadFixture();
const dir = mkdtempSync(path.join(tmpdir(), 'wgf-ot-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

async function run(method: string, data: unknown): Promise<{ code: number; out: string; err: string; json: Record<string, unknown> | null }> {
  const file = path.join(dir, `case-${counter++}.json`);
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  let out = '', err = '';
  const code = await runOtCommand([method, file], { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  let json: Record<string, unknown> | null = null;
  if (code === 0) json = JSON.parse(out) as Record<string, unknown>;
  return { code, out, err, json };
}

describe('wgflab ot on the POT fixture', () => {
  it('exact and exact1d print the squared W2 cost and the solve time', async () => {
    for (const c of fx.exact) {
      const r = await run('exact', c);
      expect(r.code).toBe(0);
      expect(rel(r.json!.value as number, c.value)).toBeLessThan(1e-9);
      expect(typeof r.json!.seconds).toBe('number');
      expect(r.json!.seconds as number).toBeGreaterThanOrEqual(0);
      expect(r.json!.converged).toBe(true);
    }
    for (const c of fx.exact1d) {
      const r = await run('exact1d', c);
      expect(r.code).toBe(0);
      expect(rel(r.json!.value as number, c.value)).toBeLessThan(1e-9);
    }
  });

  it('sinkhorn prints <P, C>, converged and iterations', async () => {
    const c = fx.sinkhorn.find((s) => s.col_marginal_err < 1e-9 && s.reg === 1)!;
    const r = await run('sinkhorn', { ...c, tol: 1e-13 });
    expect(r.code).toBe(0);
    expect(rel(r.json!.value as number, c.value)).toBeLessThan(1e-6);
    expect(r.json!.converged).toBe(true);
    expect(Number.isInteger(r.json!.iterations)).toBe(true);
  });

  it('bures and kl-gaussian go to the Gaussian module', async () => {
    for (const c of fx.gaussian) {
      const b = await run('bures', c);
      expect(b.code).toBe(0);
      expect(rel(b.json!.value as number, c.bures_w2_squared)).toBeLessThan(1e-9);
      const k = await run('kl-gaussian', c);
      expect(k.code).toBe(0);
      expect(rel(k.json!.value as number, c.kl_1_given_2)).toBeLessThan(1e-9);
    }
  });

  it('sliced, energy, mmd and sinkhorn-divergence run with their parameters', async () => {
    const c = fx.exact[2];
    const s = await run('sliced', { x: c.x, y: c.y, projections: 30, seed: 4 });
    expect(s.code).toBe(0);
    expect(s.json!.projections).toBe(30);
    expect(s.json!.value as number).toBeGreaterThan(0);
    const s2 = await run('sliced', { x: c.x, y: c.y, projections: 30, seed: 4 });
    expect(s2.json!.value).toBe(s.json!.value);
    const e = await run('energy', c);
    expect(e.code).toBe(0);
    expect(e.json!.value as number).toBeGreaterThan(0);
    const m = await run('mmd', { x: c.x, y: c.y, kernel: 'imq', bandwidth: 0.5, estimator: 'unbiased' });
    expect(m.code).toBe(0);
    expect(m.json!.kernel).toBe('imq');
    const d = await run('sinkhorn-divergence', { x: c.x, y: c.y, reg: 0.5 });
    expect(d.code).toBe(0);
    expect(d.json!.converged).toBe(true);
    expect(d.json!.value as number).toBeGreaterThan(0);
  });
});

describe('wgflab ot bad input: exit code 2, the field named, no stack trace', () => {
  const c = fx.exact[2];
  const cases: [string, string, unknown, RegExp][] = [
    ['negative weight', 'exact', { ...c, a: c.a.map((t, i) => (i === 3 ? -0.2 : t)) }, /^a\[3\]: weight must be >= 0, got -0.2/],
    ['NaN weight (null in JSON)', 'exact', { ...c, b: c.b.map((t, i) => (i === 1 ? null : t)) }, /^b\[1\]: /],
    ['unequal masses', 'exact', { ...c, b: c.b.map((t) => 1.5 * t) }, /^b: total mass/],
    ['dimension mismatch', 'exact', { x: c.x, y: c.y.map((p) => [...p, 0]) }, /^y: .*dimension/],
    ['empty measure', 'exact', { x: [], y: c.y }, /^x: measure is empty/],
    ['missing reg', 'sinkhorn', { x: c.x, y: c.y }, /^reg: /],
    ['reg <= 0', 'sinkhorn', { x: c.x, y: c.y, reg: 0 }, /^reg: /],
    ['cost matrix of the wrong shape', 'exact', { a: [0.5, 0.5], b: [1], cost: [[1, 2], [3, 4]] }, /^cost: /],
    ['exact1d with points instead of numbers', 'exact1d', { x: [[1], [2]], y: [1, 2] }, /^x\[0\]: /],
    ['bad covariance', 'bures', { m1: [0, 0], S1: [[1, 2], [2, 1]], m2: [0, 0], S2: [[1, 0], [0, 1]] }, /^S1: /],
    ['covariance of the wrong size', 'kl-gaussian', { m1: [0, 0], S1: [[1]], m2: [0, 0], S2: [[1, 0], [0, 1]] }, /^S1: /],
    ['unknown kernel', 'mmd', { x: c.x, y: c.y, kernel: 'laplace' }, /^kernel: /],
    ['not JSON', 'exact', '{ x: [1', /cannot read the case/],
  ];
  for (const [name, method, data, msg] of cases) {
    it(name, async () => {
      const r = await run(method, data);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
  it('unknown method and missing arguments', async () => {
    let err = '';
    const io = { stdout: () => undefined, stderr: (s: string) => (err += s) };
    expect(await runOtCommand(['simplex', 'x.json'], io)).toBe(2);
    expect(err).toMatch(/^method: unknown OT method "simplex"/);
    expect(await runOtCommand(['exact'], io)).toBe(2);
    expect(await runOtCommand(['exact', path.join(dir, 'does-not-exist.json')], io)).toBe(2);
  });
});
