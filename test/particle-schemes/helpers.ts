// Shared by the particle-scheme tests: build a run spec through the setup parser, drive it by hand, read moments.
import { parseSetup, type RunSpec } from '../../src/setup/schema';
import { createSimulation } from '../../src/engine/registry';
import type { Simulation, Snapshot } from '../../src/engine/types';

export function specOf(setup: Record<string, unknown>): RunSpec {
  const r = parseSetup({ name: 't', iterations: 1, ...setup });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return r.value.runs[0].spec;
}

/** Steps a simulation k times and returns its snapshot (particles or Gaussian). */
export function stepped(sim: Simulation, k: number): Snapshot {
  for (let i = 0; i < k; i++) sim.step(i);
  return sim.snapshot!(k);
}

export function positions(sim: Simulation, k = 0): { x: Float64Array; n: number; d: number } {
  const s = sim.snapshot!(k);
  if (s.kind !== 'particles') throw new Error('expected particles');
  return { x: s.positions, n: s.positions.length / s.dim, d: s.dim };
}

/** Mean and covariance (1/N) written out independently of src/particles. */
export function moments(x: Float64Array, n: number, d: number): { mean: number[]; cov: number[][] } {
  const mean = Array.from({ length: d }, (_, c) => { let s = 0; for (let i = 0; i < n; i++) s += x[i * d + c]; return s / n; });
  const cov = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b]);
    return s / n;
  }));
  return { mean, cov };
}

export { createSimulation };
