// Metric definitions as the renderer uses them: the union over runs of what each run declares (name, label, log
// axis by default), with a fallback for runs stored before definitions were (their metric names, from the final
// values or the stored names, labelled by name). No metric name is written into the renderer.
import type { MetricDef } from '../../../src/api';

/** Bound series ("bound_<metric>...") are drawn with their metric, not listed on their own. */
export const isBound = (name: string): boolean => name.startsWith('bound_');

interface HasDefs { readonly metricDefs?: readonly MetricDef[]; readonly final?: Readonly<Record<string, number>>; readonly metricNames?: readonly string[] }

/** Definitions of the runs' metrics in first-declared order (bounds included); runs without any fall back to their names. */
export function unionMetricDefs(runs: Iterable<HasDefs>): MetricDef[] {
  const out = new Map<string, MetricDef>();
  for (const r of runs) {
    const defs = r.metricDefs ?? [];
    for (const d of defs) if (!out.has(d.name)) out.set(d.name, d);
    if (defs.length) continue;
    for (const name of [...(r.metricNames ?? []), ...Object.keys(r.final ?? {})]) if (!out.has(name)) out.set(name, fallbackDef(name));
  }
  return [...out.values()];
}

/** What an old run's metric looks like without a stored definition: its name as label, linear axis. */
export const fallbackDef = (name: string): MetricDef => ({ name, label: name, log: false, cadence: 'step' });

/** Log axis when the values are all positive and span at least two decades (for metrics without a definition). */
export function valuesSuggestLog(series: Iterable<ArrayLike<number>>): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const vs of series) {
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i];
      if (!(v > 0)) {
        if (Number.isFinite(v)) return false;
        continue;
      }
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return hi > 0 && hi / lo >= 100;
}
