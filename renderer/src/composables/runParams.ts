// The parameter columns of the Runs table: every field path (RunSummary.params) whose value differs between
// the listed runs, in a stable order (scheme first, then problem, then the rest, seed last).

interface HasParams { readonly params?: Readonly<Record<string, unknown>> }

const MISSING = '\u0000missing';
const valueKey = (v: unknown): string => (v === undefined ? MISSING : JSON.stringify(v));
const rank = (path: string): number => (path === 'scheme.kind' ? 0 : path.startsWith('scheme.') ? 1 : path.startsWith('problem.') ? 2 : path === 'seed' ? 4 : 3);

/** A whole object swept at once (e.g. "scheme": {...}): its fields have columns of their own, or it is too big for one. */
const isComposite = (v: unknown): boolean => (v !== null && typeof v === 'object' && !Array.isArray(v)) || (Array.isArray(v) && JSON.stringify(v).length > 64);

/** Paths whose value is not the same in every run (a path some runs lack counts as varying); composite values are left out. */
export function varyingParams(runs: readonly HasParams[]): string[] {
  if (runs.length < 2) return [];
  const seen = new Map<string, Set<string>>();
  const composite = new Set<string>();
  for (const r of runs) for (const [k, v] of Object.entries(r.params ?? {})) if (isComposite(v)) composite.add(k);
  for (const r of runs) for (const k of Object.keys(r.params ?? {})) if (!seen.has(k) && !composite.has(k)) seen.set(k, new Set());
  for (const [k, values] of seen) for (const r of runs) values.add(valueKey(r.params?.[k]));
  return [...seen].filter(([, v]) => v.size > 1).map(([k]) => k).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** A parameter value for a cell: numbers and strings as they are, anything else as JSON. */
export function formatParam(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return String(Number(v.toPrecision(6)));
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Sort value: numbers as numbers, the rest as text; missing values are NaN (sorted last). */
export function paramSortValue(v: unknown): number | string {
  if (v === undefined || v === null) return Number.NaN;
  return typeof v === 'number' ? v : formatParam(v);
}
