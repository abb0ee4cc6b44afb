// Builds the Simulation of a run spec: the problem instance from the problem registry, the scheme definition that
// fits it, the metric definitions of both, and the bounds the scheme declares. The one place that pairs them.
import { createRng } from '../random';
import type { RunSpec } from '../setup/schema';
import { findProblem, schemeFor } from '../registry/index';
import type { MeasureOf, MeasureKind, MetricDef, ProblemInstance } from './contract';
import type { Simulation, Snapshot } from './types';
import { gaussianSnapshot } from '../measures/gaussian';
import { particleSnapshot } from '../measures/particles';
import { gridSnapshot } from '../measures/grid';

/** Independent streams of one seed: the problem's data, the scheme's noise, the metrics' fresh samples. */
const STREAM = { problem: 0x9e3779b9, scheme: 0x85ebca6b, metrics: 0xc2b2ae35 } as const;
const streamSeed = (seed: number, stream: number): number => ((seed ^ stream) >>> 0) + Math.floor(seed / 4294967296) * 4294967296;

function snapshotOf(mu: MeasureOf[MeasureKind], k: number): Snapshot {
  switch (mu.kind) {
    case 'gaussian': return gaussianSnapshot(mu, k);
    case 'particles': return particleSnapshot(mu, k);
    case 'grid': return gridSnapshot(mu, k);
  }
}

export interface CreateSimulationOptions {
  /** Use this problem instance instead of creating one from spec.problem (tests, benchmarks). */
  readonly problem?: ProblemInstance;
}

export function createSimulation(spec: RunSpec, options: CreateSimulationOptions = {}): Simulation {
  const problemDef = findProblem(spec.problem.kind);
  if (!problemDef) throw new RangeError(`problem.kind: unknown problem "${spec.problem.kind}"`);
  const schemeDef = schemeFor(spec.problem.kind, spec.scheme.kind);
  if (!schemeDef) throw new RangeError(`scheme.kind: scheme "${spec.scheme.kind}" does not run on problem "${spec.problem.kind}"`);
  const problem = options.problem ?? problemDef.create(spec.problem, {
    seed: spec.seed,
    rng: createRng(streamSeed(spec.seed, STREAM.problem)),
    metricRng: createRng(streamSeed(spec.seed, STREAM.metrics)),
  });
  const mu = problem.init;
  const stepper = schemeDef.create(spec.scheme, problem, mu, createRng(streamSeed(spec.seed, STREAM.scheme)));
  const bounds = schemeDef.bounds?.(spec.scheme, problem) ?? [];
  const schemeMetrics = stepper.metrics ?? [];
  const defs: MetricDef[] = [
    ...problem.metrics,
    ...schemeMetrics,
    ...bounds.map((b): MetricDef => ({ name: b.name, label: b.label, log: problem.metrics.find((d) => d.name === b.of)?.log ?? true, cadence: 'step', description: `bound from ${schemeDef.cite}` })),
  ];
  const np = problem.metrics.length;
  const ns = schemeMetrics.length;
  const boundOf = bounds.map((b) => {
    const j = problem.metrics.findIndex((d) => d.name === b.of);
    if (j < 0 || problem.metrics[j].cadence !== 'step') throw new Error(`bound ${b.name} refers to metric "${b.of}", which the problem does not record at every step`);
    return j;
  });
  const initial = new Float64Array(bounds.length);
  const schemeOut = new Float64Array(ns);
  return {
    metricNames: defs.map((d) => d.name),
    metricDefs: defs,
    references: problem.references ?? [],
    measure(k, out, sparse) {
      problem.evaluate(mu, k, sparse, out);
      if (ns) {
        stepper.evaluate!(mu, k, sparse, schemeOut);
        out.set(schemeOut, np);
      }
      bounds.forEach((b, i) => {
        if (k === 0) initial[i] = out[boundOf[i]];
        out[np + ns + i] = Math.pow(b.rate, k) * initial[i];
      });
    },
    step(k) {
      stepper.step(mu, k);
    },
    snapshot(k) {
      return snapshotOf(mu, k);
    },
    warning: stepper.warning ? () => stepper.warning!() : undefined,
  };
}
