// Compare's grouped curves, computed where the series are stored: runs grouped by parameters, each group a center
// with a band over its runs (src/analysis/grouping.ts), on an x axis of iterations, time t = k x step, or wall time.
// Series are read run by run with a yield to the event loop between runs, so other requests keep being answered.
// When a group's series are dense (k = 0..K without gaps, as the engine stores per-step metrics) and share one x
// scale, only the iterations the thinned summary keeps are read (through the primary key): the same result as
// summarising every row and thinning afterwards, for a fraction of the rows.
import type { GroupedSeries, GroupedMetricsInput } from '../src/api';
import { groupOf, summarise, thinSummary } from '../src/analysis/grouping';
import type { LabDatabase } from '../db/lab-db';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The indices thinSummary keeps of n entries (all when n <= maxPoints). */
function keptIndices(n: number, maxPoints: number): number[] {
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const stride = (n - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, i) => Math.round(i * stride));
}

interface Member { readonly runId: number; readonly step: number }

export async function groupedMetrics(db: LabDatabase, input: GroupedMetricsInput): Promise<GroupedSeries[]> {
  const maxPoints = input.maxPoints ?? 2000;
  const groups = new Map<string, { values: Record<string, unknown>; label: string; members: Member[] }>();
  for (const runId of input.runIds) {
    const row = db.getRun(runId);
    if (!row) continue;
    const params = JSON.parse(row.params_json || '{}') as Record<string, unknown>;
    const g = groupOf(params, input.groupBy);
    let group = groups.get(g.key);
    if (!group) groups.set(g.key, (group = { values: g.values, label: g.label, members: [] }));
    const step = typeof params['scheme.step'] === 'number' ? (params['scheme.step'] as number) : row.step ?? 1;
    group.members.push({ runId, step });
  }
  const out: GroupedSeries[] = [];
  for (const g of groups.values()) {
    // Dense series on one x scale: read only the kept iterations (index = iteration = rank in the union of x).
    let at: number[] | undefined;
    if (input.x === 'iteration' || (input.x === 'time' && new Set(g.members.map((m) => m.step)).size === 1)) {
      // count(*) walks the series' keys: yield between runs here too.
      const extents: { rows: number; lastIteration: number | null }[] = [];
      for (const m of g.members) {
        extents.push(db.seriesExtent(m.runId, input.metric));
        await yieldToEventLoop();
      }
      const n = Math.max(0, ...extents.map((e) => (e.lastIteration ?? -1) + 1));
      if (n > maxPoints && extents.every((e) => e.rows === 0 || e.lastIteration === e.rows - 1)) at = keptIndices(n, maxPoints);
    }
    const series: { x: number[]; y: number[] }[] = [];
    for (const m of g.members) {
      const s = at ? db.readSeriesAt(m.runId, input.metric, at) : db.readSeries(m.runId, input.metric);
      const x = input.x === 'wall' ? s.wallMs.map((w) => w / 1000) : input.x === 'time' ? s.iterations.map((k) => k * m.step) : s.iterations;
      series.push({ x, y: s.values });
      await yieldToEventLoop();
    }
    const sum = thinSummary(summarise(series, input), maxPoints);
    out.push({ key: g.values, label: `${g.label} (${g.members.length} run${g.members.length === 1 ? '' : 's'})`, runIds: g.members.map((m) => m.runId), metric: input.metric, ...sum });
    await yieldToEventLoop();
  }
  return out;
}
