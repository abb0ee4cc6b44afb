// Grouping runs by parameters and summarising each group's series: a center (mean or median) and a band
// (standard deviation, min-max, or a pair of quantiles) at every x where some run of the group has a value.
// Pure functions over plain arrays: the service runs them on stored series, the tests against direct sums.

export type GroupCenter = 'mean' | 'median';
export type GroupBand = 'std' | 'minmax' | 'quantiles' | 'none';

export interface GroupOptions {
  readonly center: GroupCenter;
  readonly band: GroupBand;
  /** For band = 'quantiles': lower and upper levels in [0, 1] (default 0.25, 0.75). */
  readonly quantiles?: readonly [number, number];
}

export interface GroupSummary {
  readonly x: number[];
  readonly center: number[];
  /** Band edges (equal to the center for band 'none'). */
  readonly lo: number[];
  readonly hi: number[];
  /** Runs with a value at each x. */
  readonly count: number[];
}

/** A run's parameters restricted to the grouping keys, and the group's key and label. */
export function groupOf(params: Readonly<Record<string, unknown>>, groupBy: readonly string[]): { key: string; values: Record<string, unknown>; label: string } {
  const values: Record<string, unknown> = {};
  for (const k of groupBy) values[k] = params[k] ?? null;
  const label = groupBy.length ? groupBy.map((k) => `${k}=${typeof values[k] === 'string' ? values[k] : JSON.stringify(values[k])}`).join(', ') : 'all runs';
  return { key: JSON.stringify(groupBy.map((k) => values[k])), values, label };
}

/** Quantile with linear interpolation between order statistics (numpy's default), of a sorted array. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** Summarises the series of one group at the union of their x values. */
export function summarise(series: readonly { readonly x: readonly number[]; readonly y: readonly number[] }[], o: GroupOptions): GroupSummary {
  const byX = new Map<number, number[]>();
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      const v = s.y[i];
      if (!Number.isFinite(v)) continue;
      let list = byX.get(s.x[i]);
      if (!list) byX.set(s.x[i], (list = []));
      list.push(v);
    }
  }
  const xs = [...byX.keys()].sort((a, b) => a - b);
  const [qlo, qhi] = o.quantiles ?? [0.25, 0.75];
  const out: GroupSummary = { x: xs, center: [], lo: [], hi: [], count: [] };
  for (const x of xs) {
    const v = byX.get(x)!;
    const n = v.length;
    let mean = 0;
    for (const t of v) mean += t;
    mean /= n;
    const needSort = o.center === 'median' || o.band === 'quantiles' || o.band === 'minmax';
    const sorted = needSort ? [...v].sort((a, b) => a - b) : v;
    const c = o.center === 'median' ? quantileSorted(sorted, 0.5) : mean;
    let lo = c;
    let hi = c;
    if (o.band === 'std') {
      let ss = 0;
      for (const t of v) ss += (t - mean) * (t - mean);
      // sample standard deviation (n - 1); 0 for a single run
      const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
      lo = c - sd;
      hi = c + sd;
    } else if (o.band === 'minmax') {
      lo = sorted[0];
      hi = sorted[n - 1];
    } else if (o.band === 'quantiles') {
      lo = quantileSorted(sorted, qlo);
      hi = quantileSorted(sorted, qhi);
    }
    out.center.push(c);
    out.lo.push(lo);
    out.hi.push(hi);
    out.count.push(n);
  }
  return out;
}

/** Keeps at most maxPoints evenly spread entries of a summary (always the first and the last). */
export function thinSummary(s: GroupSummary, maxPoints: number): GroupSummary {
  const n = s.x.length;
  if (n <= maxPoints) return s;
  const keep: number[] = [];
  const stride = (n - 1) / (maxPoints - 1);
  for (let i = 0; i < maxPoints; i++) keep.push(Math.round(i * stride));
  const pick = (a: number[]) => keep.map((i) => a[i]);
  return { x: pick(s.x), center: pick(s.center), lo: pick(s.lo), hi: pick(s.hi), count: pick(s.count) };
}
