// Data of the Flow view: the selected runs (from the URL, #/flow?runs=1,2&cx=0&cy=1), their details and
// targets, their snapshot iterations (kept live from 'snapshot' events), and their frames, fetched lazily in
// chunks around the playhead into a bounded cache.
import { computed, onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue';
import type { LabEvent, RunDetail } from '../../../src/api';
import { useLabStore } from '../stores/lab';
import { useRunsStore } from '../stores/runs';
import { useRoute } from './useRoute';
import { errorText } from '../api/errors';
import { chunkToFetch, decodeSnapshot, FrameCache, frameSize, indexOfIteration, insertSorted, latestAtOrBefore, timelineOf, type Frame } from '../flow/frames';
import { parseTarget, type Target } from '../flow/targets';
import { frameDim } from '../flow/view-box';

/** Numbers the frame cache holds at most (float32: 4 bytes each), e.g. 1,000 frames of 2,000 particles in 2-D. */
export const CACHE_NUMBERS = 4_000_000;
/** Numbers per getSnapshots request (frames per chunk = this / frame size, between 2 and 64). */
export const CHUNK_NUMBERS = 40_000;

const parseIds = (s: string | undefined): number[] => [...new Set((s ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0))];
const coord = (s: string | undefined, dflt: number) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : dflt);

/** `runIds`: a fixed selection (the run detail embeds the player for one run) instead of the URL's. */
export function useFlow(opts: { runIds?: Ref<number[]> } = {}) {
  const lab = useLabStore();
  const runsStore = useRunsStore();
  const { query, replaceQuery } = useRoute();

  const runIds = opts.runIds ?? computed(() => parseIds(query.value.runs));
  const details = shallowRef(new Map<number, RunDetail>());
  const targets = computed(() => new Map([...details.value].map(([id, d]) => [id, parseTarget(d.spec?.problem)] as [number, Target | null])));
  /** Snapshot iterations per run, ascending. */
  const indexes = shallowRef(new Map<number, number[]>());
  const timeline = computed(() => timelineOf(runIds.value.map((id) => indexes.value.get(id) ?? [])));
  const cache = new FrameCache(CACHE_NUMBERS);
  const inflight = new Set<string>();
  /** Bumped when frames arrive or runs' indexes change (the canvas redraws on it). */
  const version = ref(0);
  const loading = ref(false);
  const error = ref('');
  /** Dimension of each run's measure, from its first frame. */
  const dims = shallowRef(new Map<number, number>());
  const maxDim = computed(() => Math.max(0, ...runIds.value.map((id) => dims.value.get(id) ?? 0)));
  const cx = computed(() => Math.min(coord(query.value.cx, 0), Math.max(0, maxDim.value - 1)));
  const cy = computed(() => {
    const y = coord(query.value.cy, 1);
    return maxDim.value < 2 ? 0 : y === cx.value || y >= maxDim.value ? (cx.value === 0 ? 1 : 0) : y;
  });

  const setQuery = (patch: Record<string, string | undefined>) => replaceQuery({ runs: query.value.runs, cx: query.value.cx, cy: query.value.cy, ...patch });
  const setRuns = (ids: number[]) => setQuery({ runs: ids.join(',') });
  const setCoords = (x: number, y: number) => setQuery({ cx: String(x), cy: String(y) });

  const key = FrameCache.key;
  const have = (runId: number) => (k: number) => cache.has(runId, k) || inflight.has(key(runId, k));
  /** Frames per request for this run (from the size of a frame it has). */
  const chunkFor = (runId: number): number => {
    const its = indexes.value.get(runId) ?? [];
    const f = its.length ? cache.bestAtOrBefore(runId, its, Infinity) : undefined;
    return f ? Math.max(2, Math.min(64, Math.floor(CHUNK_NUMBERS / frameSize(f)))) : 8;
  };

  async function fetchFrames(runId: number, its: number[]): Promise<void> {
    if (!its.length) return;
    for (const k of its) inflight.add(key(runId, k));
    try {
      const got = await lab.client.getSnapshots({ runId, iterations: its });
      if (!runIds.value.includes(runId)) return;
      for (const s of got) {
        const f = decodeSnapshot(s);
        cache.set(runId, f);
        if (!dims.value.has(runId)) dims.value = new Map(dims.value).set(runId, frameDim(f));
      }
      version.value++;
    } catch (err) {
      error.value = `Could not load the snapshots of run #${runId}: ${errorText(err)}`;
    } finally {
      for (const k of its) inflight.delete(key(runId, k));
    }
  }

  /**
   * Makes sure every run's frame at k (its latest <= k) is cached or on its way, and prefetches the next chunk
   * once the playhead is half-way through the current one. Returns true when all those frames are cached.
   */
  function want(k: number): boolean {
    let ready = true;
    for (const id of runIds.value) {
      const its = indexes.value.get(id);
      if (!its?.length) continue;
      const f = latestAtOrBefore(its, k);
      if (f === undefined) continue;
      const i = indexOfIteration(its, f);
      const chunk = chunkFor(id);
      if (!cache.has(id, f)) {
        ready = false;
        if (!inflight.has(key(id, f))) void fetchFrames(id, chunkToFetch(its, i, chunk, have(id)));
      }
      const ahead = i + Math.ceil(chunk / 2);
      if (ahead < its.length && !have(id)(its[ahead])) void fetchFrames(id, chunkToFetch(its, ahead, chunk, have(id)));
    }
    return ready;
  }

  /** The frame a run shows at k: its latest stored frame <= k if cached, else the closest cached one before. */
  function frameAt(runId: number, k: number): Frame | undefined {
    const its = indexes.value.get(runId);
    return its ? cache.bestAtOrBefore(runId, its, k) : undefined;
  }
  /** The first and last cached frames of a run (for the shared axis ranges). */
  function endFrames(runId: number): Frame[] {
    const its = indexes.value.get(runId) ?? [];
    if (!its.length) return [];
    return [cache.get(runId, its[0]), cache.get(runId, its[its.length - 1])].filter((f): f is Frame => f !== undefined);
  }

  async function load(): Promise<void> {
    const ids = runIds.value;
    loading.value = true;
    error.value = '';
    try {
      await runsStore.init();
      const [ds, idx] = await Promise.all([
        Promise.all(ids.map((id) => (details.value.get(id) ? Promise.resolve(details.value.get(id)!) : lab.client.getRun({ id }).catch(() => undefined)))),
        ids.length ? lab.client.listSnapshots({ runIds: ids.filter((id) => runsStore.get(id) !== undefined) }) : Promise.resolve([]),
      ]);
      if (ids.join() !== runIds.value.join()) return;
      const d = new Map<number, RunDetail>();
      ds.forEach((r, i) => r && d.set(ids[i], r));
      details.value = d;
      indexes.value = new Map(idx.map((s) => [s.runId, [...s.iterations]]));
      const lost = ids.filter((id) => !d.has(id));
      if (lost.length) error.value = `Run${lost.length === 1 ? '' : 's'} ${lost.map((i) => `#${i}`).join(', ')} not found (deleted?).`;
      // First and last frames first: they set the shared axes.
      await Promise.all(ids.map((id) => {
        const its = indexes.value.get(id) ?? [];
        return fetchFrames(id, [...new Set([its[0], its[its.length - 1]])].filter((k) => k !== undefined && !cache.has(id, k)));
      }));
      version.value++;
    } catch (err) {
      error.value = `Could not load the runs: ${errorText(err)}`;
    } finally {
      loading.value = false;
    }
  }
  watch(() => runIds.value.join(), () => void load());

  // Live: new snapshot iterations are added in batches; a run queued again starts over.
  const listeners = new Set<() => void>();
  /** Called after live snapshots extended the timeline. */
  const onGrow = (l: () => void) => listeners.add(l);
  let pending = new Map<number, number[]>();
  let timer = 0;
  function flushLive() {
    timer = 0;
    const next = new Map(indexes.value);
    let grew = false;
    for (const [id, ks] of pending) {
      const list = [...(next.get(id) ?? [])];
      for (const k of ks) grew = insertSorted(list, k) || grew;
      next.set(id, list);
    }
    pending = new Map();
    if (!grew) return;
    indexes.value = next;
    version.value++;
    for (const l of listeners) l();
  }
  function onEvent(e: LabEvent) {
    if (e.type === 'snapshot' && runIds.value.includes(e.runId)) {
      pending.set(e.runId, [...(pending.get(e.runId) ?? []), e.iteration]);
      timer ||= window.setTimeout(flushLive, 120);
    } else if (e.type === 'run' && e.run.status === 'queued' && runIds.value.includes(e.run.id) && indexes.value.get(e.run.id)?.length) {
      cache.dropRun(e.run.id);
      indexes.value = new Map(indexes.value).set(e.run.id, []);
      version.value++;
    }
  }
  const off = lab.client.onEvent(onEvent);
  const offReconnect = lab.client.onReconnect(() => void load());
  onBeforeUnmount(() => {
    off();
    offReconnect();
    clearTimeout(timer);
  });

  const live = computed(() => runIds.value.some((id) => runsStore.get(id)?.status === 'running' || runsStore.get(id)?.status === 'queued'));

  return { runIds, details, targets, indexes, timeline, version, loading, error, dims, maxDim, cx, cy, live, cache, setRuns, setCoords, want, frameAt, endFrames, load, onGrow };
}
