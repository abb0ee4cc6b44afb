// The flat parameter record of a run: every scalar field of its scheme, its sweep values and its seed, by field
// path. Stored with the run, so the Runs table can show one column per parameter that varies.
import type { RunSpec } from './schema';

const SCALAR_LIMIT = 64;

function flatten(value: unknown, path: string, out: Record<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, `${path}.${k}`, out);
  } else if (value === null || typeof value !== 'object') {
    out[path] = value;
  } else if (JSON.stringify(value).length <= SCALAR_LIMIT) {
    out[path] = value; // a short list (e.g. a mean vector) is shown as it is
  }
}

export function runParams(spec: RunSpec, sweepValues: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  flatten(spec.scheme, 'scheme', out);
  out['problem.kind'] = spec.problem.kind;
  out.iterations = spec.iterations;
  // A swept whole object (e.g. "scheme": {...}) is already among the flattened fields above.
  for (const [k, v] of Object.entries(sweepValues)) if (v === null || typeof v !== 'object' || Array.isArray(v)) out[k.replace(/\[(\d+)\]/g, '.$1')] = v;
  out.seed = spec.seed;
  return out;
}
