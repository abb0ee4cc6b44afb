// The setup file: a saved, editable experiment (problem + scheme + parameters + sweep + seeds), its
// validation, and its expansion into runs. This module is the one source of truth for the CLI, the
// service, the IPC boundary and the renderer's generated forms.
import { z } from 'zod';
import { findProblem, ProblemSchema, SchemeSchema, SCHEMES_FOR_PROBLEM, schemeFor } from '../registry/index';
import { issuesFromZod, pathToString, SetupError, type SetupIssue } from './issues';

export { ProblemSchema, SchemeSchema, SCHEMES_FOR_PROBLEM };
export type { Problem, ProblemKind, Scheme, SchemeKind } from '../registry/index';

export const MAX_ITERATIONS = 10_000_000;
export const MAX_RUNS_PER_SETUP = 10_000;
/** At most this many snapshots per run (k = 0, every K, and the last iteration). */
export const MAX_SNAPSHOTS_PER_RUN = 1000;
/** Default divergence factor: a run diverges when |objective| > factor x max(1, |objective at k = 0|). */
export const DEFAULT_DIVERGENCE_FACTOR = 1e12;

const SnapshotsSchema = z.strictObject({
  every: z.int().positive().max(MAX_ITERATIONS).meta({ title: 'Every K iterations', description: `the measure is stored at k = 0, K, 2K, ... and the last iteration (at most ${MAX_SNAPSHOTS_PER_RUN} per run)` }),
}).meta({ title: 'Snapshots', description: 'store the measure (particle positions, Gaussian moments) for the Flow view' });

/** Fields a run takes from its setup besides problem and scheme (shared by SetupSchema and RunSpecSchema). */
const runFields = {
  iterations: z.int().positive().max(MAX_ITERATIONS).meta({ title: 'Iterations', description: 'number of scheme steps; metrics are recorded at k = 0..iterations' }),
  metrics_every: z.int().positive().max(MAX_ITERATIONS).default(1).meta({ title: 'Expensive metrics every', description: 'sparse metrics (entropy, KL and W2 estimates of particles) are computed every this many iterations, at k = 0 and at the last' }),
  snapshots: SnapshotsSchema.optional(),
  divergence_factor: z.number().gt(1).refine(Number.isFinite, { message: 'must be a finite number' }).default(DEFAULT_DIVERGENCE_FACTOR)
    .meta({ title: 'Divergence factor', description: 'the run stops as diverged when |objective| exceeds this factor times max(1, |objective at k = 0|), or a metric is not finite' }),
};

const sweepValues = z.array(z.json()).min(1).max(MAX_RUNS_PER_SETUP);

export const SetupSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).meta({ title: 'Name' }),
  description: z.string().max(10_000).optional().meta({ title: 'Description' }),
  problem: ProblemSchema,
  scheme: SchemeSchema,
  ...runFields,
  seeds: z.array(z.int().min(0).max(2 ** 32 - 1)).min(1).max(MAX_RUNS_PER_SETUP).default([0]).meta({ title: 'Seeds' }),
  sweep: z.record(z.string(), sweepValues).default({}).meta({ title: 'Sweep', description: 'dotted field path -> list of values; runs are the cartesian product times the seeds' }),
});
/** A setup as written in a file (defaults optional). */
export type SetupInput = z.input<typeof SetupSchema>;
/** A validated setup with defaults applied. */
export type Setup = z.output<typeof SetupSchema>;

/** One concrete run: the setup with sweep values applied and one seed (same field names as the setup file). */
export const RunSpecSchema = z.strictObject({
  name: SetupSchema.shape.name,
  problem: ProblemSchema,
  scheme: SchemeSchema,
  ...runFields,
  seed: z.int().min(0).max(2 ** 32 - 1),
});
export type RunSpec = z.output<typeof RunSpecSchema>;

export interface ExpandedRun {
  readonly spec: RunSpec;
  /** The sweep values of this run, by path (empty when the setup has no sweep). */
  readonly sweepValues: Readonly<Record<string, unknown>>;
  /** Short human label, e.g. "fb, scheme.step=0.05, seed 1". */
  readonly label: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: SetupIssue[] };

/** The semantic checks of a problem (dimensions that agree, SPD matrices) that a zod shape cannot express. */
function checkProblem(problem: { kind: string }, path = 'problem'): SetupIssue[] {
  return findProblem(problem.kind)?.check?.(problem, path) ?? [];
}

/** Semantic checks of a run: its problem, whether the scheme fits it, its snapshot count. */
function checkRun(run: { problem: { kind: string }; scheme: { kind: string }; iterations: number; snapshots?: { every: number } }): SetupIssue[] {
  const issues = checkProblem(run.problem);
  if (!schemeFor(run.problem.kind, run.scheme.kind)) {
    const allowed = SCHEMES_FOR_PROBLEM[run.problem.kind] ?? [];
    issues.push({ path: 'scheme.kind', message: `scheme "${run.scheme.kind}" does not support problem "${run.problem.kind}"; allowed: ${allowed.map((k) => `"${k}"`).join(', ')}` });
  }
  if (run.snapshots) {
    const count = Math.floor(run.iterations / run.snapshots.every) + 2;
    if (count > MAX_SNAPSHOTS_PER_RUN) {
      const every = Math.ceil(run.iterations / (MAX_SNAPSHOTS_PER_RUN - 2));
      issues.push({ path: 'snapshots.every', message: `gives ${count} snapshots for ${run.iterations} iterations; at most ${MAX_SNAPSHOTS_PER_RUN} per run are allowed: use every >= ${every}` });
    }
  }
  return issues;
}

const SWEEPABLE_ROOTS = new Set(['problem', 'scheme', 'iterations', 'metrics_every', 'snapshots', 'divergence_factor']);

/** Splits "problem.target.mean.0" or "problem.target.mean[0]" into keys. */
export function parseFieldPath(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const part of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (part === '') return [];
    keys.push(/^\d+$/.test(part) ? Number(part) : part);
  }
  return keys;
}

function hasPath(obj: unknown, keys: readonly (string | number)[]): boolean {
  let cur = obj;
  for (const key of keys) {
    if (cur === null || typeof cur !== 'object') return false;
    if (Array.isArray(cur)) {
      if (typeof key !== 'number' || key >= cur.length) return false;
    } else if (!Object.prototype.hasOwnProperty.call(cur, key)) {
      return false;
    }
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return true;
}

/** A sweep may address an existing field under problem, scheme or iterations. */
function sweepPathExists(setup: unknown, path: string): boolean {
  const keys = parseFieldPath(path);
  const root = keys[0];
  return keys.length > 0 && typeof root === 'string' && SWEEPABLE_ROOTS.has(root) && hasPath(setup, keys);
}

function setPath(obj: Record<string, unknown>, keys: readonly (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = obj;
  for (let i = 0; i < keys.length - 1; i++) cur = cur[keys[i]] as Record<string | number, unknown>;
  cur[keys[keys.length - 1]] = value;
}

/** Leaf field paths of a setup that a sweep may address (shown when a sweep path does not exist). */
export function sweepablePaths(setup: Setup): string[] {
  const out: string[] = [];
  const walk = (v: unknown, keys: (string | number)[]) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, child] of Object.entries(v)) walk(child, [...keys, k]);
    } else {
      out.push(pathToString(keys));
    }
  };
  walk({ problem: setup.problem, scheme: setup.scheme, iterations: setup.iterations, metrics_every: setup.metrics_every }, []);
  return out;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * One sweep value in a run label: "scheme.step=0.05"; a whole object by its kind and scalar fields,
 * "scheme: step=0.5 bandwidth=median" or "problem: kl metrics=...", not its JSON.
 */
function sweepLabel(key: string, value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `${key}=${JSON.stringify(value)}`;
  const fields = Object.entries(value as Record<string, unknown>)
    .filter(([k, v]) => k !== 'kind' && (v === null || typeof v !== 'object'))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const kind = (value as { kind?: unknown }).kind;
  const head = key === 'scheme' || typeof kind !== 'string' ? '' : ` ${kind}`;
  return `${key}:${head}${fields.length ? ` ${fields.join(' ')}` : ''}`;
}

/** Number of runs a setup expands to (sweep product times seeds), without building them. */
export function countRuns(setup: Setup): number {
  let n = setup.seeds.length;
  for (const values of Object.values(setup.sweep)) n *= values.length;
  return n;
}

/**
 * Validates a setup and every run it expands to. Returns the setup with defaults applied and its runs,
 * or every issue found (field path + what is allowed).
 */
export function parseSetup(input: unknown): ParseResult<{ setup: Setup; runs: ExpandedRun[]; warnings: SetupIssue[] }> {
  const parsed = SetupSchema.safeParse(input);
  if (!parsed.success) {
    // Report the semantic problems of the parts that did parse too, so one pass shows every issue.
    const issues = issuesFromZod(parsed.error, SetupSchema, input);
    const raw = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
    const problem = ProblemSchema.safeParse(raw.problem);
    if (problem.success) issues.push(...checkProblem(problem.data));
    if (raw.sweep && typeof raw.sweep === 'object' && !Array.isArray(raw.sweep)) {
      for (const key of Object.keys(raw.sweep)) {
        if (!sweepPathExists(raw, key)) issues.push({ path: `sweep["${key}"]`, message: 'field path does not exist in the setup' });
      }
    }
    return { ok: false, issues };
  }
  const setup = parsed.data;
  const issues: SetupIssue[] = [];
  const sweepKeys = Object.keys(setup.sweep);
  if (sweepKeys.length === 0) issues.push(...checkRun(setup));
  const total = countRuns(setup);
  if (total > MAX_RUNS_PER_SETUP) {
    issues.push({ path: 'sweep', message: `expands to ${total} runs (sweep product x seeds); at most ${MAX_RUNS_PER_SETUP} are allowed` });
    return { ok: false, issues };
  }
  const parsedPaths: (string | number)[][] = [];
  for (const key of sweepKeys) {
    const keys = parseFieldPath(key);
    if (!sweepPathExists(setup, key)) {
      issues.push({
        path: `sweep["${key}"]`,
        message: `field path does not exist in the setup; sweepable paths: ${sweepablePaths(setup).join(', ')}`,
      });
    }
    parsedPaths.push(keys);
  }
  if (issues.length) return { ok: false, issues };

  const runs: ExpandedRun[] = [];
  const base = {
    name: setup.name, problem: setup.problem, scheme: setup.scheme, iterations: setup.iterations, metrics_every: setup.metrics_every,
    divergence_factor: setup.divergence_factor, ...(setup.snapshots ? { snapshots: setup.snapshots } : {}),
  };
  const combos: Record<string, unknown>[] = [{}];
  for (const key of sweepKeys) {
    const next: Record<string, unknown>[] = [];
    for (const combo of combos) for (const value of setup.sweep[key]) next.push({ ...combo, [key]: value });
    combos.splice(0, combos.length, ...next);
  }
  const seen = new Set<string>();
  for (const combo of combos) {
    const resolved = clone(base) as Record<string, unknown>;
    sweepKeys.forEach((key, i) => setPath(resolved, parsedPaths[i], clone(combo[key])));
    const where = sweepKeys.map((k) => `${k}=${JSON.stringify(combo[k])}`).join(', ');
    const specInput = { ...resolved, seed: setup.seeds[0] };
    const specParsed = RunSpecSchema.safeParse(specInput);
    if (!specParsed.success) {
      for (const issue of issuesFromZod(specParsed.error, RunSpecSchema, specInput)) {
        const k = `${issue.path}: ${issue.message}`;
        if (seen.has(k)) continue;
        seen.add(k);
        issues.push({ path: issue.path, message: `${issue.message} (in the run with ${where})` });
      }
      continue;
    }
    if (sweepKeys.length) {
      for (const issue of checkRun(specParsed.data)) {
        const k = `${issue.path}: ${issue.message}`;
        if (seen.has(k)) continue;
        seen.add(k);
        issues.push({ path: issue.path, message: `${issue.message} (in the run with ${where})` });
      }
    }
    for (const seed of setup.seeds) {
      const spec: RunSpec = { ...specParsed.data, seed };
      const parts = [spec.scheme.kind, ...sweepKeys.filter((k) => k !== 'scheme.kind').map((k) => sweepLabel(k, combo[k])), `seed ${seed}`];
      runs.push({ spec, sweepValues: combo, label: parts.join(', ') });
    }
  }
  if (issues.length) return { ok: false, issues };
  return { ok: true, value: { setup, runs, warnings: seedWarnings(setup, runs) } };
}

/**
 * A setup with several seeds whose runs draw nothing at random (deterministic problem data and initial law, a
 * deterministic scheme) would make identical runs: say so instead of silently duplicating them.
 */
function seedWarnings(setup: Setup, runs: readonly ExpandedRun[]): SetupIssue[] {
  if (setup.seeds.length < 2) return [];
  const deterministic = runs.every(({ spec }) => {
    const p = findProblem(spec.problem.kind);
    const s = schemeFor(spec.problem.kind, spec.scheme.kind);
    return Boolean(p?.deterministic?.(spec.problem) && s?.deterministic);
  });
  if (!deterministic) return [];
  const identical = runs.length;
  return [{ path: 'seeds', message: `seeds have no effect for this problem and scheme: ${identical} runs, ${identical / setup.seeds.length} distinct (use one seed)` }];
}

/** Like parseSetup, but throws a SetupError carrying every issue. */
export function expandSetup(input: unknown): { setup: Setup; runs: ExpandedRun[]; warnings: SetupIssue[] } {
  const result = parseSetup(input);
  if (!result.ok) throw new SetupError(result.issues);
  return result.value;
}

/** Validates one resolved run spec (as stored in the database or sent to a worker). */
export function parseRunSpec(input: unknown): ParseResult<RunSpec> {
  const parsed = RunSpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: issuesFromZod(parsed.error, RunSpecSchema, input) };
  const issues = checkRun(parsed.data);
  return issues.length ? { ok: false, issues } : { ok: true, value: parsed.data };
}
