// Compare's grouped curves, computed where the series are stored: runs grouped by parameters, each group a center
// with a band over its runs (src/analysis/grouping.ts), on an x axis of iterations, time t = k x step, or wall time.
// Series are read run by run with a yield to the event loop between runs, so other requests keep being answered.
import type { GroupedSeries, GroupedMetricsInput } from '../src/api';
import { groupOf, summarise, thinSummary } from '../src/analysis/grouping';
import type { LabDatabase } from '../db/lab-db';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function groupedMetrics(db: LabDatabase, input: GroupedMetricsInput): Promise<GroupedSeries[]> {
  const groups = new Map<string, { values: Record<string, unknown>; label: string; runIds: number[]; series: { x: number[]; y: number[] }[] }>();
  for (const runId of input.runIds) {
    const row = db.getRun(runId);
    if (!row) continue;
    const params = JSON.parse(row.params_json || '{}') as Record<string, unknown>;
    const g = groupOf(params, input.groupBy);
    let group = groups.get(g.key);
    if (!group) groups.set(g.key, (group = { values: g.values, label: g.label, runIds: [], series: [] }));
    group.runIds.push(runId);
    const s = db.readSeries(runId, input.metric);
    const step = typeof params['scheme.step'] === 'number' ? (params['scheme.step'] as number) : row.step ?? 1;
    const x = input.x === 'wall' ? s.wallMs.map((w) => w / 1000) : input.x === 'time' ? s.iterations.map((k) => k * step) : s.iterations;
    group.series.push({ x, y: s.values });
    await yieldToEventLoop();
  }
  const out: GroupedSeries[] = [];
  for (const g of groups.values()) {
    const sum = thinSummary(summarise(g.series, input), input.maxPoints ?? 2000);
    out.push({ key: g.values, label: `${g.label} (${g.runIds.length} run${g.runIds.length === 1 ? '' : 's'})`, runIds: g.runIds, metric: input.metric, ...sum });
  }
  return out;
}
