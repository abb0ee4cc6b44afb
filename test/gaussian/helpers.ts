// Shared helpers for the gaussian-kl simulation tests.
import { createGaussianKlInstance, type GaussianKlOptions } from '../../src/problems/gaussian-kl/index';
import type { GaussianKlProblem } from '../../src/problems/gaussian-kl/schema';
import type { Scheme } from '../../src/setup/schema';
import type { Simulation, Snapshot } from '../../src/engine/types';
import { createSimulation } from '../../src/engine/registry';

/** The simulation of one Gaussian scheme, through the registry (the problem instance built with the options). */
export function createGaussianKlSimulation(p: GaussianKlProblem, scheme: Scheme, seed = 0, options: GaussianKlOptions = {}): Simulation {
  return createSimulation({ name: 't', problem: p, scheme, iterations: 1, seed, metrics_every: 1, divergence_factor: 1e12 }, { problem: createGaussianKlInstance(p, options) });
}

export type GaussianSnapshot = Extract<Snapshot, { kind: 'gaussian' }>;

export interface Trace {
  names: readonly string[];
  /** rows[k][j]: metric j at iteration k */
  rows: Float64Array[];
  snaps: GaussianSnapshot[];
}

export function problem(targetMean: number[], targetCov: GaussianKlProblem['target']['cov'], initMean: number[], initCov: GaussianKlProblem['init']['cov']): GaussianKlProblem {
  return { kind: 'gaussian-kl', target: { mean: targetMean, cov: targetCov }, init: { mean: initMean, cov: initCov } };
}

/** Runs `iterations` steps by hand, recording metrics and snapshots at k = 0..iterations. */
export function trace(p: GaussianKlProblem, scheme: Scheme, iterations: number, options?: GaussianKlOptions): Trace {
  const sim = createGaussianKlSimulation(p, scheme, 0, options);
  const rows: Float64Array[] = [];
  const snaps: GaussianSnapshot[] = [];
  for (let k = 0; k <= iterations; k++) {
    if (k > 0) sim.step(k - 1);
    const row = new Float64Array(sim.metricNames.length);
    sim.measure(k, row, true);
    rows.push(row);
    const snap = sim.snapshot!(k);
    if (snap.kind !== 'gaussian') throw new Error('expected a gaussian snapshot');
    snaps.push(snap);
  }
  return { names: sim.metricNames, rows, snaps };
}

export function metric(t: Trace, name: string): number[] {
  const j = t.names.indexOf(name);
  if (j < 0) throw new Error(`no metric ${name} in ${t.names.join(', ')}`);
  return t.rows.map((r) => r[j]);
}

/** Dense covariance of a snapshot (from cov or diag). */
export function covOf(s: GaussianSnapshot): Float64Array {
  if (s.cov) return s.cov;
  const d = s.mean.length;
  const out = new Float64Array(d * d);
  s.diag!.forEach((v, i) => (out[i * d + i] = v));
  return out;
}

export const nestedOf = (a: ArrayLike<number>, d: number): number[][] => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => a[i * d + j]));
