// Shared by the grid tests: a run spec through the setup parser, stepping by hand, reading metrics by name.
import { parseSetup, type RunSpec } from '../../src/setup/schema';
import { createSimulation } from '../../src/engine/registry';
import type { Simulation } from '../../src/engine/types';

export function specOf(setup: Record<string, unknown>): RunSpec {
  const r = parseSetup({ name: 't', iterations: 1, ...setup });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return r.value.runs[0].spec;
}

export interface Driven { sim: Simulation; metrics: Record<string, number>[]; masses: Float64Array }

/** Runs `steps` steps and returns every step's metrics (sparse ones measured at every step) and the final masses. */
export function drive(problem: Record<string, unknown>, scheme: Record<string, unknown>, steps: number, sparseEvery = 1): Driven {
  const sim = createSimulation(specOf({ problem, scheme }));
  const out = new Float64Array(sim.metricNames.length);
  const metrics: Record<string, number>[] = [];
  const read = (k: number) => {
    sim.measure(k, out, k % sparseEvery === 0 || k === steps);
    metrics.push(Object.fromEntries(sim.metricNames.map((n, j) => [n, out[j]])));
  };
  read(0);
  for (let k = 0; k < steps; k++) { sim.step(k); read(k + 1); }
  const s = sim.snapshot!(steps);
  if (s.kind !== 'grid') throw new Error('grid snapshot expected');
  return { sim, metrics, masses: s.masses };
}

export { createSimulation };
