// Maps a run spec to its Simulation: the one place that knows every problem kind.
import type { RunSpec } from '../setup/schema';
import type { Simulation } from './types';
import { createGaussianKlSimulation } from '../problems/gaussian-kl/simulation';

export function createSimulation(spec: RunSpec): Simulation {
  switch (spec.problem.kind) {
    case 'gaussian-kl':
      return createGaussianKlSimulation(spec.problem, spec.scheme, spec.seed);
  }
}
