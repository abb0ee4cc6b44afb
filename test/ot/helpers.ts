// Shared helpers for the OT tests: the POT reference fixture, seeded clouds and independent brute-force formulas.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRng } from '../../src/random';

export interface PotFixture {
  meta: Record<string, unknown>;
  exact: { x: number[][]; y: number[][]; a: number[]; b: number[]; value: number }[];
  sinkhorn: { x: number[][]; y: number[][]; a: number[]; b: number[]; reg: number; value: number; col_marginal_err: number; row_marginal_err: number }[];
  exact1d: { x: number[]; y: number[]; a: number[]; b: number[]; value: number }[];
  gaussian: { m1: number[]; S1: number[][]; m2: number[]; S2: number[][]; bures_w2_squared: number; kl_1_given_2: number }[];
}

export const FIXTURE_PATH = path.resolve(__dirname, '../fixtures/ot/pot-reference.json');

export function loadFixture(): PotFixture {
  return JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as PotFixture;
}

export function randomPoints(seed: number, n: number, d: number, scale = 1, shift = 0): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => shift + scale * rng.normal()));
}

export function randomWeights(seed: number, n: number, zeros: number[] = []): number[] {
  const rng = createRng(seed);
  const w = Array.from({ length: n }, () => 0.1 + rng.uniform());
  for (const z of zeros) w[z] = 0;
  const s = w.reduce((p, q) => p + q, 0);
  return w.map((t) => t / s);
}

export function sqDist(p: number[], q: number[]): number {
  let s = 0;
  for (let k = 0; k < p.length; k++) s += (p[k] - q[k]) ** 2;
  return s;
}

export function costMatrix(x: number[][], y: number[][]): number[][] {
  return x.map((p) => y.map((q) => sqDist(p, q)));
}

export const rel = (p: number, q: number): number => Math.abs(p - q) / Math.max(Math.abs(q), 1e-300);

/** Row and column sums of a sparse plan. */
export function sparseMarginals(rows: Int32Array, cols: Int32Array, masses: Float64Array, n: number, m: number): { r: Float64Array; c: Float64Array } {
  const r = new Float64Array(n), c = new Float64Array(m);
  for (let k = 0; k < masses.length; k++) {
    r[rows[k]] += masses[k];
    c[cols[k]] += masses[k];
  }
  return { r, c };
}
