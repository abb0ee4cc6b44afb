// Data of the Compare view: the selected runs (from the URL hash, so views deep-link), their metrics (from the
// runs' metric definitions: order, labels, log axis by default), the curves of the chosen metric and of its
// theoretical bounds ("bound_<metric>..."), kept live from 'metrics' events, and the reference lines the runs'
// problems know. Timing marks (compare:start -> compare:finished) measure selection-to-drawn for the benchmark.
import { computed, onBeforeUnmount, ref, shallowRef, watch } from 'vue';
import type { LabEvent, MetricDef, ReferenceLine, RunDetail } from '../../../src/api';
import { useLabStore } from '../stores/lab';
import { useRunsStore } from '../stores/runs';
import { useRoute } from './useRoute';
import { errorText } from '../api/errors';
import { fallbackDef, isBound, unionMetricDefs, valuesSuggestLog } from './metricDefs';
import { isGrouped } from './compareOptions';

export type { Curve, XMode } from './compareOptions';
import type { Curve, XMode } from './compareOptions';
export { isBound };
/** Bound series drawn with a metric: "bound_kl" (and "bound_kl_...") go with "kl". */
export const boundsOf = (metric: string, names: Iterable<string>) => [...names].filter((n) => n === `bound_${metric}` || n.startsWith(`bound_${metric}_`));

/** Points per series of the first picture (the full series follow); about twice the plot width in pixels. */
export const PREVIEW_POINTS = 2048;
/** Metric rows per getMetrics call, and calls in flight at once (see fetchCurves). */
export const PAGE_ROWS = 200_000;
const PAGES_IN_FLIGHT = 3;

const parseIds = (s: string | undefined): number[] => [...new Set((s ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0))];

export function useCompare() {
  const lab = useLabStore();
  const runsStore = useRunsStore();
  const { query, replaceQuery } = useRoute();

  const runIds = computed(() => parseIds(query.value.runs));
  const requestedMetric = computed(() => query.value.metric ?? '');
  const xMode = computed<XMode>(() => (query.value.x === 'wall' || query.value.x === 'time' ? query.value.x : 'iteration'));
  /** Grouped mode: no per-run curves are loaded (the groups come from the service, see useGroupedCompare). */
  const grouped = computed(() => isGrouped(query.value, runIds.value.length));
  const details = shallowRef(new Map<number, RunDetail>());
  /** Metric names each run has (from getRun, extended by live events). */
  const namesByRun = shallowRef(new Map<number, Set<string>>());
  const curves = shallowRef(new Map<string, Curve>());
  const loading = ref(false);
  const error = ref('');
  /** Bumped whenever curves change; the chart redraws on it. */
  const version = ref(0);
  /** Incremented per load. */
  const loadId = ref(0);
  /** The load whose curves are in place (0 before the first); the chart reports drawing it once. */
  const readyId = ref(0);

  /** Definitions of the selected runs' metrics, in the order the runs declare them (fallbacks for old runs). */
  const defs = computed(() => {
    const rows = runIds.value.map((id) => runsStore.get(id) ?? details.value.get(id)).filter((r) => r !== undefined);
    const out = new Map(unionMetricDefs(rows).map((d) => [d.name, d] as [string, MetricDef]));
    for (const id of runIds.value) for (const n of namesByRun.value.get(id) ?? []) if (!out.has(n)) out.set(n, fallbackDef(n));
    return out;
  });
  /** Metrics some selected run has values of (or declares), bounds left out. */
  const metrics = computed(() => {
    const has = new Set<string>();
    for (const id of runIds.value) for (const n of namesByRun.value.get(id) ?? []) has.add(n);
    return [...defs.value.keys()].filter((n) => !isBound(n) && has.has(n));
  });
  const metric = computed(() => {
    const m = metrics.value;
    return m.includes(requestedMetric.value) ? requestedMetric.value : m[0] ?? '';
  });
  const metricLabel = computed(() => defs.value.get(metric.value)?.label ?? metric.value);
  /** Log axis by default: as the metric's definition says; without one, when the values span two decades. */
  const logByDefault = computed(() => {
    void version.value;
    const d = defs.value.get(metric.value);
    if (d && runIds.value.some((id) => runsStore.get(id)?.metricDefs.some((x) => x.name === d.name) || details.value.get(id)?.metricDefs.some((x) => x.name === d.name))) return d.log;
    return valuesSuggestLog([...curves.value.values()].filter((c) => !c.bound).map((c) => c.values));
  });
  const logY = computed(() => (query.value.log === '1' ? true : query.value.log === '0' ? false : logByDefault.value));
  /** Reference lines of the chosen metric (a known minimum), one per value and label. */
  const references = computed<ReferenceLine[]>(() => {
    const seen = new Map<string, ReferenceLine>();
    for (const id of runIds.value) for (const r of details.value.get(id)?.references ?? []) if (r.metric === metric.value) seen.set(`${r.value}|${r.label}`, r);
    return [...seen.values()];
  });

  const key = (runId: number, name: string) => `${runId}|${name}`;

  const setQuery = (patch: Record<string, string | undefined>) =>
    replaceQuery({ ...query.value, ...patch });
  const setRuns = (ids: number[]) => setQuery({ runs: ids.join(',') });
  const setMetric = (m: string) => setQuery({ metric: m, log: undefined });
  const setXMode = (x: XMode) => setQuery({ x: x === 'iteration' ? undefined : x });
  /** Sets other display options in the URL (grouping, band, smoothing). */
  const setOptions = (patch: Record<string, string | undefined>) => setQuery(patch);
  const setLogY = (on: boolean) => setQuery({ log: on === logByDefault.value ? undefined : on ? '1' : '0' });

  /**
   * Metric names of the runs: the keys of each run's final values (from the shared runs list, one request for all),
   * and getRun for runs without stored metrics yet or unknown to the list.
   */
  async function ensureDetails(ids: number[]): Promise<void> {
    await runsStore.init();
    const n = new Map(namesByRun.value);
    const missing: number[] = [];
    for (const id of ids) {
      const keys = Object.keys(runsStore.get(id)?.final ?? {});
      if (keys.length) n.set(id, new Set([...(n.get(id) ?? []), ...keys]));
      else if (!details.value.has(id)) missing.push(id);
    }
    namesByRun.value = n;
    if (!missing.length) return;
    const got = await Promise.all(missing.map((id) => lab.client.getRun({ id }).catch(() => undefined)));
    const d = new Map(details.value);
    const n2 = new Map(namesByRun.value);
    got.forEach((r, i) => {
      if (!r) return;
      d.set(missing[i], r);
      n2.set(missing[i], new Set([...(n2.get(missing[i]) ?? []), ...r.metricNames]));
    });
    details.value = d;
    namesByRun.value = n2;
    const lost = missing.filter((id) => !d.has(id));
    if (lost.length) error.value = `Run${lost.length === 1 ? '' : 's'} ${lost.map((i) => `#${i}`).join(', ')} not found (deleted?); remove ${lost.length === 1 ? 'it' : 'them'} from the selection.`;
  }

  /** Runs of the selection the lab knows (listed, or found by getRun). */
  const isKnown = (id: number) => runsStore.get(id) !== undefined || details.value.has(id);

  let measuring = false;
  let measuringFull = false;
  /** Called by the chart when a load is drawn: marks compare:finished and measures compare:render (first
   *  picture of a selection) and compare:full (every series at full resolution). Returns compare:render. */
  function markDrawn(): number | undefined {
    let first: number | undefined;
    if (measuring) {
      measuring = false;
      performance.clearMarks('compare:finished');
      performance.mark('compare:finished');
      performance.clearMeasures('compare:render');
      first = performance.measure('compare:render', 'compare:start', 'compare:finished').duration;
    }
    if (measuringFull && !thinned.value) {
      measuringFull = false;
      performance.clearMeasures('compare:full');
      performance.measure('compare:full', 'compare:start');
    }
    return first;
  }

  /** Some curves are evenly thinned previews (first picture); the full series replace them when they arrive. */
  const thinned = ref(false);

  type Request = { name: string; bound: boolean; runs: number[] };
  /** Runs of one request split into pages of about PAGE_ROWS rows (from the runs' progress), so that a large
   *  load is many short answers and the server keeps answering other requests in between. */
  function pages(runs: number[], maxPoints?: number): number[][] {
    const out: number[][] = [];
    let page: number[] = [];
    let rows = 0;
    for (const id of runs) {
      const r = runsStore.get(id) ?? details.value.get(id);
      const n = Math.min(maxPoints ?? Infinity, Math.max(1, (r?.lastIteration ?? 0) + 1));
      if (page.length && rows + n > PAGE_ROWS) {
        out.push(page);
        page = [];
        rows = 0;
      }
      page.push(id);
      rows += n;
    }
    if (page.length) out.push(page);
    return out;
  }
  async function fetchCurves(requests: Request[], maxPoints?: number): Promise<Curve[]> {
    const calls = requests.flatMap((q) => pages(q.runs, maxPoints).map((runIds) => ({ q, runIds })));
    const curves: Curve[] = [];
    // At most PAGES_IN_FLIGHT pages at once.
    let next = 0;
    const lane = async () => {
      while (next < calls.length) {
        const { q, runIds } = calls[next++];
        const series = await lab.client.getMetrics({ runIds, metric: q.name, maxPoints });
        for (const s of series) curves.push({ runId: s.runId, metric: s.metric, bound: q.bound, iterations: s.iterations, wallMs: s.wallMs, values: s.values });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PAGES_IN_FLIGHT, calls.length) }, lane));
    return curves;
  }

  /** The requests for metric m (and its bounds) of the given runs, from the known metric names. */
  function requestsFor(m: string, ids: number[]): Request[] {
    const boundNames = new Set<string>();
    for (const r of ids) for (const b of boundsOf(m, namesByRun.value.get(r) ?? [])) boundNames.add(b);
    return [
      { name: m, bound: false, runs: ids.filter((r) => namesByRun.value.get(r)?.has(m)) },
      ...[...boundNames].map((b) => ({ name: b, bound: true, runs: ids.filter((r) => namesByRun.value.get(r)?.has(b)) })),
    ];
  }

  async function load(): Promise<void> {
    const id = ++loadId.value;
    if (!measuring) {
      measuring = true;
      measuringFull = true;
      performance.clearMarks('compare:start');
      performance.mark('compare:start');
    }
    loading.value = true;
    error.value = '';
    const stale = () => id !== loadId.value;
    try {
      const ids = runIds.value;
      const next = new Map<string, Curve>();
      const put = (cs: Curve[]) => cs.forEach((c) => next.set(key(c.runId, c.metric), c));
      // Round trips in parallel: run details, and the metric the URL names (or the first one the runs declare,
      // when the run list is loaded already) with its usual bound.
      const guess = requestedMetric.value || (runsStore.loaded ? unionMetricDefs(ids.map((i) => runsStore.get(i)).filter((r) => r !== undefined)).find((d) => !isBound(d.name))?.name ?? '' : '');
      if (grouped.value) {
        await ensureDetails(ids);
        if (stale()) return;
        curves.value = new Map();
        thinned.value = false;
        readyId.value = id;
        version.value++;
        void loadReferences(ids.filter(isKnown));
        return;
      }
      const preview = ids.length && guess ? fetchCurves([{ name: guess, bound: false, runs: ids }, { name: `bound_${guess}`, bound: true, runs: ids }], PREVIEW_POINTS).catch(() => undefined) : Promise.resolve([]);
      const [, early] = await Promise.all([ensureDetails(ids), preview]);
      if (stale()) return;
      const m = metric.value;
      const known = ids.filter(isKnown);
      if (m && known.length) {
        const wanted = requestsFor(m, known);
        if (early && m === guess) {
          put(early);
          // Bounds named bound_<m>_... are not in the first round.
          const extra = wanted.filter((q) => q.bound && q.name !== `bound_${m}`);
          if (extra.length) put(await fetchCurves(extra, PREVIEW_POINTS));
        } else {
          put(await fetchCurves(wanted, PREVIEW_POINTS));
        }
        if (stale()) return;
      }
      // Rows that arrived live while the request was in flight are kept.
      for (const c of next.values()) keepNewerRows(c, curves.value.get(key(c.runId, c.metric)));
      const isThinned = [...next.values()].some((c) => c.values.length >= PREVIEW_POINTS);
      performance.clearMarks('compare:data');
      performance.mark('compare:data');
      curves.value = next;
      thinned.value = isThinned;
      readyId.value = id;
      version.value++;
      if (isThinned) void loadFull(id, m, known);
      void loadReferences(known);
    } catch (err) {
      if (!stale()) error.value = `Could not load the metrics: ${errorText(err)}`;
    } finally {
      if (!stale()) loading.value = false;
    }
  }

  /** Details (reference lines) of the selected runs, after the first picture. */
  async function loadReferences(ids: number[]): Promise<void> {
    // Reference lines come with the problem: one run per distinct problem is enough (200 runs of one problem: 1 request).
    const problemOf = (i: number) => {
      const r = runsStore.get(i) ?? details.value.get(i);
      return r ? `${r.problemKind}|${JSON.stringify(Object.entries(r.params ?? {}).filter(([p]) => p.startsWith('problem.')))}` : `#${i}`;
    };
    const seen = new Set(ids.filter((i) => details.value.has(i)).map(problemOf));
    const missing = ids.filter((i) => {
      if (details.value.has(i)) return false;
      const k = problemOf(i);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    if (!missing.length) return;
    const got = await Promise.all(missing.map((id) => lab.client.getRun({ id }).catch(() => undefined)));
    const d = new Map(details.value);
    got.forEach((r, i) => r && d.set(missing[i], r));
    details.value = d;
    version.value++;
  }

  /** Appends to c the rows of old after c's last iteration (live rows that arrived during a request). */
  function keepNewerRows(c: Curve, old: Curve | undefined): void {
    if (!old) return;
    const last = c.iterations.length ? c.iterations[c.iterations.length - 1] : -1;
    for (let i = 0; i < old.iterations.length; i++) {
      if (old.iterations[i] <= last) continue;
      c.iterations.push(old.iterations[i]);
      c.wallMs.push(old.wallMs[i]);
      c.values.push(old.values[i]);
    }
  }

  /** Second round: the full series of every thinned curve; rows that arrived live meanwhile are kept. */
  async function loadFull(id: number, m: string, ids: number[]): Promise<void> {
    const thinnedRuns = (bound: boolean, name: string) => ids.filter((r) => (curves.value.get(key(r, name))?.values.length ?? 0) >= PREVIEW_POINTS && curves.value.get(key(r, name))?.bound === bound);
    const requests = requestsFor(m, ids).map((q) => ({ ...q, runs: thinnedRuns(q.bound, q.name) })).filter((q) => q.runs.length);
    try {
      const full = await fetchCurves(requests);
      if (id !== loadId.value) return;
      for (const c of full) {
        const k = key(c.runId, c.metric);
        keepNewerRows(c, curves.value.get(k));
        curves.value.set(k, c);
      }
      thinned.value = false;
      readyId.value = id + 0.5;
      version.value++;
    } catch (err) {
      if (id === loadId.value) error.value = `Showing a thinned preview; the full series did not load: ${errorText(err)}`;
    }
  }

  // Inputs only (the effective metric derives from them and the loaded details inside load()).
  watch([() => runIds.value.join(), requestedMetric, grouped], () => void load());

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
      if (grouped.value) return;
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
      // A re-queued run starts over (its old metrics are replaced): drop its curves. Progress events may lag
      // behind metric events, so a smaller lastIteration alone does not mean a restart.
      const c = curves.value.get(key(e.run.id, metric.value));
      if (c && c.iterations.length && e.run.status === 'queued') {
        for (const [k, v] of curves.value) if (v.runId === e.run.id) curves.value.delete(k);
        bump();
      }
    }
  }
  const off = lab.client.onEvent(onEvent);
  const offReconnect = lab.client.onReconnect(() => void load());
  onBeforeUnmount(() => {
    off();
    offReconnect();
    clearTimeout(pendingBump);
  });

  /** Bound metrics of the chosen metric that some selected run has. */
  const boundNames = computed(() => {
    const out = new Set<string>();
    for (const id of runIds.value) for (const b of boundsOf(metric.value, namesByRun.value.get(id) ?? [])) out.add(b);
    return [...out];
  });

  return { runIds, grouped, boundNames, setOptions, query, defs, metrics, metric, metricLabel, references, xMode, logY, details, curves, loading, error, version, loadId, readyId, thinned, markDrawn, setRuns, setMetric, setXMode, setLogY, load };
}
