// Which rows of a series a request gets: all of them, or at most maxPoints evenly spread (first and last
// kept), read by primary-key seeks when the series has no gaps. Shared by the series worker and the inline
// path of LabService.getMetrics.
import type { SeriesColumns } from '../db/series-read';
import { thinIndices } from './run-records';

export interface SeriesRequest {
  readonly id: number;
  readonly runs: readonly { readonly runId: number; readonly names: readonly string[] }[];
  readonly maxPoints?: number;
}

export interface ColumnSeries extends SeriesColumns {
  readonly runId: number;
  readonly metric: string;
}

export type SeriesReply = { readonly id: number; readonly series: ColumnSeries[]; readonly error?: undefined } | { readonly id: number; readonly error: string; readonly series?: undefined };

/** What readThinned needs: SeriesReadConnection (worker) or an adapter over LabDatabase (inline). */
export interface SeriesSource {
  extent(runId: number, metric: string): { rows: number; lastIteration: number | null };
  series(runId: number, metric: string): SeriesColumns;
  seriesAt(runId: number, metric: string, at: readonly number[]): SeriesColumns;
}

export function readThinned(src: SeriesSource, req: Omit<SeriesRequest, 'id'>): ColumnSeries[] {
  const out: ColumnSeries[] = [];
  const { maxPoints } = req;
  for (const { runId, names } of req.runs) {
    for (const metric of names) {
      if (maxPoints !== undefined) {
        const { rows, lastIteration } = src.extent(runId, metric);
        if (rows > maxPoints && lastIteration === rows - 1) {
          // k = 0..n-1 without gaps: index = iteration, so seek only the kept rows.
          out.push({ runId, metric, ...src.seriesAt(runId, metric, thinIndices(rows, maxPoints)) });
          continue;
        }
      }
      const s = src.series(runId, metric);
      if (maxPoints !== undefined && s.iterations.length > maxPoints) {
        const keep = thinIndices(s.iterations.length, maxPoints);
        const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]);
        out.push({ runId, metric, iterations: pick(s.iterations), values: pick(s.values), wallMs: pick(s.wallMs) });
      } else {
        out.push({ runId, metric, ...s });
      }
    }
  }
  return out;
}
