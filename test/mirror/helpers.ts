// Shared by the mirror tests: run specs through the setup parser, positions, direct formulas written independently.
import { parseSetup, type RunSpec } from '../../src/setup/schema';
import { createSimulation } from '../../src/engine/registry';
import type { Simulation } from '../../src/engine/types';

export function specOf(setup: Record<string, unknown>): RunSpec {
  const r = parseSetup({ name: 't', iterations: 1, ...setup });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return r.value.runs[0].spec;
}

export function simOf(problem: Record<string, unknown>, scheme: Record<string, unknown>, seed = 0): Simulation {
  const spec = specOf({ problem, scheme, seeds: [seed] });
  return createSimulation(spec);
}

export function positionsOf(sim: Simulation, k: number): number[][] {
  const s = sim.snapshot!(k);
  if (s.kind !== 'particles') throw new Error('particles expected');
  const out: number[][] = [];
  for (let i = 0; i < s.positions.length / s.dim; i++) out.push(Array.from(s.positions.subarray(i * s.dim, (i + 1) * s.dim)));
  return out;
}

/** Metric values at iteration k, by name. */
export function metricsAt(sim: Simulation, k: number): Record<string, number> {
  const out = new Float64Array(sim.metricNames.length);
  sim.measure(k, out, true);
  return Object.fromEntries(sim.metricNames.map((n, j) => [n, out[j]]));
}

export const centred = (pts: number[][]): number[][] => {
  const d = pts[0].length;
  const m = Array.from({ length: d }, (_, c) => pts.reduce((s, p) => s + p[c], 0) / pts.length);
  return pts.map((p) => p.map((v, c) => v - m[c]));
};

export const maxAbsDiff = (a: number[][], b: number[][]): number => Math.max(...a.flatMap((p, i) => p.map((v, c) => Math.abs(v - b[i][c]))));

/** q = z^T S^-1 z for a diagonal S, written out. */
export const qDiag = (z: number[], s: number[]): number => z.reduce((acc, v, c) => acc + (v * v) / s[c], 0);

/** The interaction energy written directly: mean over n^2 ordered pairs of q^2/4 - q/2 (diagonal Sigma). */
export function directEnergy(pts: number[][], s: number[]): number {
  let e = 0;
  for (const a of pts) for (const b of pts) {
    const q = qDiag(a.map((v, c) => v - b[c]), s);
    e += q * q / 4 - q / 2;
  }
  return e / (pts.length * pts.length);
}

/** (1/n) sum_j grad W(x_i - x_j), grad W(z) = (q - 1) Sigma^-1 z (diagonal Sigma). */
export function directGrad(pts: number[][], s: number[]): number[][] {
  return pts.map((a) => {
    const g = a.map(() => 0);
    for (const b of pts) {
      const z = a.map((v, c) => v - b[c]);
      const q = qDiag(z, s);
      z.forEach((v, c) => { g[c] += (q - 1) * v / s[c] / pts.length; });
    }
    return g;
  });
}
