// Compare's grouped mode: one center with a band per group of runs, computed by the service
// (getGroupedMetrics; the renderer never receives every point of every run), plus the groups' theory bounds
// (their centers, drawn dashed). Refreshed on a timer while a selected run is still queued or running.
import { computed, onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue';
import type { GroupedSeries } from '../../../src/api';
import { useLabStore } from '../stores/lab';
import { useRunsStore } from '../stores/runs';
import { useRoute } from './useRoute';
import { errorText } from '../api/errors';
import { groupOptions } from './compareOptions';
import { varyingParams } from './runParams';
import type { XMode } from './useCompare';

/** Points per group the service sends (thinned evenly); about the plot width in pixels. */
export const GROUP_POINTS = 1000;
const REFRESH_MS = 2000;

export interface GroupedInput {
  runIds: Ref<readonly number[]>;
  metric: Ref<string>;
  xMode: Ref<XMode>;
  /** Bound metric names of the chosen metric among the selected runs. */
  boundNames: Ref<readonly string[]>;
}

export function useGroupedCompare(input: GroupedInput) {
  const lab = useLabStore();
  const runsStore = useRunsStore();
  const { query } = useRoute();

  const rows = computed(() => input.runIds.value.map((id) => runsStore.get(id)).filter((r) => r !== undefined));
  /** Parameters that differ among the selected runs: what one can group by. */
  const candidates = computed(() => varyingParams(rows.value));
  const options = computed(() => groupOptions(query.value, input.runIds.value.length, candidates.value));
  const active = computed(() => options.value.groupBy !== null);
  const groups = shallowRef<GroupedSeries[]>([]);
  const bounds = shallowRef<GroupedSeries[]>([]);
  const loading = ref(false);
  const error = ref('');
  const version = ref(0);
  /** Id of the request whose groups are in place (the chart reports drawing it once). */
  const readyId = ref(0);
  let requestId = 0;

  async function load(): Promise<void> {
    const o = options.value;
    const m = input.metric.value;
    const ids = [...input.runIds.value];
    if (o.groupBy === null || !m || !ids.length) {
      groups.value = [];
      bounds.value = [];
      return;
    }
    // The default grouping needs the runs' parameters: wait for the run list.
    if (query.value.group === undefined && !runsStore.loaded) return;
    const id = ++requestId;
    loading.value = true;
    const base = { runIds: ids, groupBy: o.groupBy, x: input.xMode.value, maxPoints: GROUP_POINTS } as const;
    try {
      const [g, ...b] = await Promise.all([
        lab.client.getGroupedMetrics({ ...base, metric: m, center: o.center, band: o.band, quantiles: o.band === 'quantiles' ? o.quantiles : undefined }),
        ...input.boundNames.value.map((name) => lab.client.getGroupedMetrics({ ...base, metric: name, center: o.center, band: 'none' })),
      ]);
      if (id !== requestId) return;
      performance.clearMarks('compare:data');
      performance.mark('compare:data');
      groups.value = g;
      bounds.value = b.flat();
      error.value = '';
      readyId.value = id;
      version.value++;
    } catch (err) {
      if (id === requestId) error.value = `Could not compute the groups: ${errorText(err)}`;
    } finally {
      if (id === requestId) loading.value = false;
    }
  }

  watch(() => [runsStore.loaded, active.value, input.metric.value, input.xMode.value, input.runIds.value.join(), JSON.stringify(options.value), input.boundNames.value.join()], () => void load(), { immediate: true });

  // Runs still running: the groups change; refresh them every few seconds.
  const live = computed(() => active.value && rows.value.some((r) => r.status === 'running' || r.status === 'queued'));
  let timer = 0;
  watch(live, (on) => {
    clearInterval(timer);
    if (on) timer = window.setInterval(() => void load(), REFRESH_MS);
  }, { immediate: true });
  onBeforeUnmount(() => clearInterval(timer));

  return { candidates, options, active, groups, bounds, loading, error, version, readyId, live, load };
}
