// Compare's display options kept in the URL (so views deep-link): grouping (group=scheme.kind,scheme.step, "-" for
// none, "*" for one group of every run; absent: ungrouped for a few runs, else grouped by the parameters that vary
// except the seed), center, band and quantile levels, smoothing; and the EMA used for smoothing. Pure functions.
import type { GroupedMetricsInput } from '../../../src/api';

/** One run's series of one metric (or of a bound), as Compare holds it. */
export interface Curve {
  readonly runId: number;
  readonly metric: string;
  readonly bound: boolean;
  iterations: number[];
  wallMs: number[];
  values: number[];
}

/** x axis: iteration k, time t = k x step, wall time. */
export type XMode = 'iteration' | 'time' | 'wall';

/** Up to this many runs the default is one curve per run; above it, one band per group. */
export const UNGROUPED_MAX = 12;

export type Center = GroupedMetricsInput['center'];
export type Band = GroupedMetricsInput['band'];

export interface GroupOptions {
  /** null: one curve per run; [] one group of every run; else the parameter paths. */
  readonly groupBy: string[] | null;
  readonly center: Center;
  readonly band: Band;
  readonly quantiles: [number, number];
}

/** Whether the selection is shown grouped (known from the URL and the number of runs alone). */
export function isGrouped(query: Readonly<Record<string, string>>, runCount: number): boolean {
  const g = query.group;
  if (g === undefined) return runCount > UNGROUPED_MAX;
  return g !== '-';
}

/** The grouping of the URL; `varying` are the parameters that differ among the selected runs (for the default). */
export function groupOptions(query: Readonly<Record<string, string>>, runCount: number, varying: readonly string[]): GroupOptions {
  const center: Center = query.center === 'median' ? 'median' : 'mean';
  const band: Band = query.band === 'minmax' || query.band === 'quantiles' || query.band === 'none' ? query.band : 'std';
  const q = (query.q ?? '').split(',').map(Number);
  const quantiles: [number, number] = q.length === 2 && q.every((v) => v >= 0 && v <= 1) && q[0] < q[1] ? [q[0], q[1]] : [0.1, 0.9];
  let groupBy: string[] | null = null;
  if (isGrouped(query, runCount)) {
    const g = query.group;
    if (g === undefined) groupBy = varying.filter((p) => p !== 'seed');
    else if (g === '*') groupBy = [];
    else groupBy = g.split(',').filter(Boolean);
  }
  return { groupBy, center, band, quantiles };
}

/** Smoothing weight in [0, 0.99] from the URL (smooth=0.6); 0 is off. */
export function smoothingOf(query: Readonly<Record<string, string>>): number {
  const s = Number(query.smooth);
  return Number.isFinite(s) && s > 0 ? Math.min(0.99, s) : 0;
}

/**
 * Exponential moving average with bias correction (as TensorBoard's smoothing): s_i = w s_{i-1} + (1 - w) y_i,
 * divided by 1 - w^i so that the start is not pulled to 0. Non-finite values are passed through and skipped.
 */
export function ema(values: readonly number[], weight: number): number[] {
  if (!(weight > 0)) return [...values];
  const out = new Array<number>(values.length);
  let acc = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    acc = weight * acc + (1 - weight) * y;
    n++;
    out[i] = acc / (1 - weight ** n);
  }
  return out;
}

/** Band name in words, for the toolbar and the figure's title. */
export function bandText(o: GroupOptions): string {
  if (o.band === 'std') return `${o.center} ± 1 std`;
  if (o.band === 'minmax') return `${o.center}, min–max`;
  if (o.band === 'quantiles') return `${o.center}, ${o.quantiles[0]}–${o.quantiles[1]} quantiles`;
  return o.center;
}
