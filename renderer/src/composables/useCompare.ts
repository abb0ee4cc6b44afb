// Data of the Compare view: the selected runs (from the URL hash, so views deep-link), their metric names, the
// curves of the chosen metric and of its theoretical bounds ("bound_<metric>..."), kept live from 'metrics'
// events. Timing marks (compare:start -> compare:finished) measure selection-to-drawn for the benchmark.
import { computed, onBeforeUnmount, ref, shallowRef, watch } from 'vue';
import type { LabEvent, RunDetail } from '../../../src/api';
import { useLabStore } from '../stores/lab';
import { useRoute } from './useRoute';
import { errorText } from '../api/errors';

export interface Curve {
  readonly runId: number;
  readonly metric: string;
  readonly bound: boolean;
  iterations: number[];
  wallMs: number[];
  values: number[];
}

export type XMode = 'iteration' | 'wall';
export const LOG_BY_DEFAULT = new Set(['kl', 'w2sq', 'mmd', 'objective_gap']);
export const isBound = (name: string) => name.startsWith('bound_');
/** Bound series drawn with a metric: "bound_kl" (and "bound_kl_...") go with "kl". */
export const boundsOf = (metric: string, names: Iterable<string>) => [...names].filter((n) => n === `bound_${metric}` || n.startsWith(`bound_${metric}_`));

const parseIds = (s: string | undefined): number[] => [...new Set((s ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0))];

export function useCompare() {
  const lab = useLabStore();
  const { query, replaceQuery } = useRoute();

  const runIds = computed(() => parseIds(query.value.runs));
  const requestedMetric = computed(() => query.value.metric ?? '');
  const xMode = computed<XMode>(() => (query.value.x === 'wall' ? 'wall' : 'iteration'));
  const details = shallowRef(new Map<number, RunDetail>());
  /** Metric names each run has (from getRun, extended by live events). */
  const namesByRun = shallowRef(new Map<number, Set<string>>());
  const curves = shallowRef(new Map<string, Curve>());
  const loading = ref(false);
  const error = ref('');
  /** Bumped whenever curves change; the chart redraws on it. */
  const version = ref(0);
  /** Incremented per load; the chart marks compare:finished for the newest one. */
  const loadId = ref(0);

  const metrics = computed(() => {
    const all = new Set<string>();
    for (const id of runIds.value) for (const n of namesByRun.value.get(id) ?? []) if (!isBound(n)) all.add(n);
    return [...all].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  });
  const metric = computed(() => {
    const m = metrics.value;
    if (m.includes(requestedMetric.value)) return requestedMetric.value;
    return m.includes('kl') ? 'kl' : m[0] ?? '';
  });
  const logY = computed(() => (query.value.log === '1' ? true : query.value.log === '0' ? false : LOG_BY_DEFAULT.has(metric.value)));

  function rank(n: string): number {
    const i = ['kl', 'w2sq', 'objective'].indexOf(n);
    return i < 0 ? 9 : i;
  }
  const key = (runId: number, name: string) => `${runId}|${name}`;

  const setQuery = (patch: Record<string, string | undefined>) =>
    replaceQuery({ runs: query.value.runs, metric: query.value.metric, x: query.value.x, log: query.value.log, ...patch });
  const setRuns = (ids: number[]) => setQuery({ runs: ids.join(',') });
  const setMetric = (m: string) => setQuery({ metric: m, log: undefined });
  const setXMode = (x: XMode) => setQuery({ x: x === 'wall' ? 'wall' : undefined });
  const setLogY = (on: boolean) => setQuery({ log: on === LOG_BY_DEFAULT.has(metric.value) ? undefined : on ? '1' : '0' });

  async function ensureDetails(ids: number[]): Promise<void> {
    const missing = ids.filter((id) => !details.value.has(id));
    if (!missing.length) return;
    const got = await Promise.all(missing.map((id) => lab.client.getRun({ id }).catch(() => undefined)));
    const d = new Map(details.value);
    const n = new Map(namesByRun.value);
    got.forEach((r, i) => {
      if (!r) return;
      d.set(missing[i], r);
      n.set(missing[i], new Set([...(n.get(missing[i]) ?? []), ...r.metricNames]));
    });
    details.value = d;
    namesByRun.value = n;
    const lost = missing.filter((id) => !d.has(id));
    if (lost.length) error.value = `Run${lost.length === 1 ? '' : 's'} ${lost.map((i) => `#${i}`).join(', ')} not found (deleted?); remove ${lost.length === 1 ? 'it' : 'them'} from the selection.`;
  }

  let measuring = false;
  /** Called by the chart when the newest load is drawn: records compare:finished and the compare:render measure. */
  function markDrawn(): number | undefined {
    if (!measuring) return undefined;
    measuring = false;
    performance.clearMarks('compare:finished');
    performance.mark('compare:finished');
    performance.clearMeasures('compare:render');
    return performance.measure('compare:render', 'compare:start', 'compare:finished').duration;
  }

  async function load(): Promise<void> {
    const id = ++loadId.value;
    if (!measuring) {
      measuring = true;
      performance.clearMarks('compare:start');
      performance.mark('compare:start');
    }
    loading.value = true;
    error.value = '';
    try {
      const ids = runIds.value;
      await ensureDetails(ids);
      if (id !== loadId.value) return;
      const m = metric.value;
      const next = new Map<string, Curve>();
      if (m && ids.length) {
        const withMetric = ids.filter((r) => namesByRun.value.get(r)?.has(m));
        const boundNames = new Set<string>();
        for (const r of ids) for (const b of boundsOf(m, namesByRun.value.get(r) ?? [])) boundNames.add(b);
        const requests = [{ name: m, bound: false, runs: withMetric }, ...[...boundNames].map((b) => ({ name: b, bound: true, runs: ids.filter((r) => namesByRun.value.get(r)?.has(b)) }))];
        const results = await Promise.all(requests.map((q) => (q.runs.length ? lab.client.getMetrics({ runIds: q.runs, metric: q.name }) : Promise.resolve([]))));
        if (id !== loadId.value) return;
        results.forEach((series, i) => {
          for (const s of series) next.set(key(s.runId, s.metric), { runId: s.runId, metric: s.metric, bound: requests[i].bound, iterations: s.iterations, wallMs: s.wallMs, values: s.values });
        });
      }
      curves.value = next;
      version.value++;
    } catch (err) {
      if (id === loadId.value) error.value = `Could not load the metrics: ${errorText(err)}`;
    } finally {
      if (id === loadId.value) loading.value = false;
    }
  }

  // Inputs only (the effective metric derives from them and the loaded details inside load()).
  watch([() => runIds.value.join(), requestedMetric], () => void load());

  // Live: append rows of displayed metrics; start over when a run is queued again.
  let pendingBump = 0;
  const bump = () => {
    if (pendingBump) return;
    pendingBump = window.setTimeout(() => {
      pendingBump = 0;
      version.value++;
    }, 250);
  };
  function onEvent(e: LabEvent) {
    if (e.type === 'metrics') {
      if (!runIds.value.includes(e.runId)) return;
      const names = namesByRun.value.get(e.runId);
      const unseen = e.names.filter((n) => !names?.has(n));
      if (unseen.length) {
        const before = metric.value;
        const n = new Map(namesByRun.value);
        n.set(e.runId, new Set([...(names ?? []), ...e.names]));
        namesByRun.value = n;
        if (metric.value !== before) {
          void load();
          return;
        }
      }
      const m = metric.value;
      const k = e.names.length;
      let changed = false;
      e.names.forEach((name, j) => {
        const bound = isBound(name);
        if (name !== m && !(bound && boundsOf(m, [name]).length)) return;
        let c = curves.value.get(key(e.runId, name));
        if (!c) {
          c = { runId: e.runId, metric: name, bound, iterations: [], wallMs: [], values: [] };
          curves.value.set(key(e.runId, name), c);
        }
        const last = c.iterations.length ? c.iterations[c.iterations.length - 1] : -1;
        for (let r = 0; r < e.iterations.length; r++) {
          if (e.iterations[r] <= last) continue;
          c.iterations.push(e.iterations[r]);
          c.wallMs.push(e.wallMs[r]);
          c.values.push(e.values[r * k + j]);
          changed = true;
        }
      });
      if (changed) bump();
    } else if (e.type === 'run' && runIds.value.includes(e.run.id)) {
      const c = curves.value.get(key(e.run.id, metric.value));
      if (c && c.iterations.length && (e.run.status === 'queued' || e.run.lastIteration < c.iterations[c.iterations.length - 1])) {
        for (const [k, v] of curves.value) if (v.runId === e.run.id) curves.value.delete(k);
        bump();
      }
    }
  }
  const off = lab.client.onEvent(onEvent);
  onBeforeUnmount(() => {
    off();
    clearTimeout(pendingBump);
  });

  /** The displayed curves as CSV (long format), for the export button. */
  function toCsv(labelOf: (runId: number) => string): string {
    const lines = ['run_id,label,metric,iteration,wall_ms,value'];
    for (const c of curves.value.values()) {
      const label = `"${labelOf(c.runId).replace(/"/g, '""')}"`;
      for (let i = 0; i < c.iterations.length; i++) lines.push(`${c.runId},${label},${c.metric},${c.iterations[i]},${c.wallMs[i]},${c.values[i]}`);
    }
    return `${lines.join('\n')}\n`;
  }

  return { runIds, metrics, metric, xMode, logY, details, curves, loading, error, version, loadId, markDrawn, setRuns, setMetric, setXMode, setLogY, load, toCsv };
}
