// Database rows -> API records (RunSummary, SetupRecord), a setup's expansion -> queue rows, and small helpers
// shared by LabService and its parts.
import type { MetricDef, RunSummary, SetupRecord } from '../src/api';
import { runParams } from '../src/setup/params';
import type { ExpandedRun } from '../src/setup/schema';
import type { NewRun, RunRow, SetupRow } from '../db/lab-db';

/** Indexes of at most maxPoints evenly spread samples of 0..n-1, always keeping the first and the last. */
export function thinIndices(n: number, maxPoints: number): number[] {
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  const stride = (n - 1) / (maxPoints - 1);
  for (let i = 0; i < maxPoints; i++) out.push(Math.round(i * stride));
  out[maxPoints - 1] = n - 1;
  return out;
}

export const parseJson = <T>(text: string | null, fallback: T): T => {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

export function runSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    setupId: r.setup_id,
    name: r.name,
    label: r.label,
    problemKind: r.problem_kind,
    scheme: r.scheme,
    step: r.step,
    seed: r.seed,
    sweepValues: parseJson<Record<string, unknown>>(r.sweep_json, {}),
    params: parseJson<Record<string, unknown>>(r.params_json, {}),
    metricDefs: parseJson<MetricDef[]>(r.metric_defs_json, []),
    notes: r.notes ?? '',
    tags: parseJson<string[]>(r.tags_json ?? '[]', []),
    status: r.status,
    iterations: r.iterations,
    lastIteration: r.last_iteration,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    final: parseJson<Record<string, number>>(r.final_json, {}),
    owner: r.owner,
  };
}

export function setupRecord(r: SetupRow): SetupRecord {
  return { id: r.id, name: r.name, setup: parseJson(r.json, {} as SetupRecord['setup']), createdAt: r.created_at, updatedAt: r.updated_at, runCount: r.run_count };
}

/** The rows a setup's expansion inserts into the queue. */
export function newRunsOf(setupId: number | null, runs: readonly ExpandedRun[], appVersion: string): NewRun[] {
  return runs.map(({ spec, sweepValues, label }) => ({
    setupId,
    name: spec.name,
    label,
    problemKind: spec.problem.kind,
    scheme: spec.scheme.kind,
    step: 'step' in spec.scheme && typeof spec.scheme.step === 'number' ? spec.scheme.step : null,
    seed: spec.seed,
    sweepJson: JSON.stringify(sweepValues),
    specJson: JSON.stringify(spec),
    paramsJson: JSON.stringify(runParams(spec, sweepValues)),
    iterations: spec.iterations,
    appVersion,
  }));
}

export const errorMessage = (e: unknown): string => {
  if (e instanceof Error) return e.message || e.name;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
};
