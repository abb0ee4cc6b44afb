// Sorting, filtering, paging and selection for the Runs table, and its columns: one per parameter that varies
// among the listed runs, one per metric they declare (labels from the metric definitions).
import { computed, ref, type Ref } from 'vue';
import type { MetricDef, RunStatus } from '../../../src/api';
import type { RunRow } from '../stores/runs';
import { isBound, unionMetricDefs } from './metricDefs';
import { paramSortValue, varyingParams } from './runParams';

export type SortKey = 'id' | 'name' | 'status' | 'progress' | `final:${string}` | `param:${string}`;

const PAGE = 500;

function keyOf(r: RunRow, key: SortKey): number | string {
  if (key.startsWith('final:')) return r.final[key.slice(6)] ?? Number.NaN;
  if (key.startsWith('param:')) return paramSortValue(r.params?.[key.slice(6)]);
  switch (key) {
    case 'id': return r.id;
    case 'name': return `${r.name}\u0000${r.label}`;
    case 'status': return r.status;
    case 'progress': return r.iterations > 0 ? r.lastIteration / r.iterations : 0;
    default: return r.id;
  }
}

export function useRunTable(source: Ref<readonly RunRow[]>) {
  const text = ref('');
  const statuses = ref<RunStatus[]>([]);
  const sortKey = ref<SortKey>('id');
  const sortDesc = ref(true);
  const limit = ref(PAGE);
  const selected = ref(new Set<number>());

  const filtered = computed(() => {
    const words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    const st = new Set(statuses.value);
    return source.value.filter((r) => {
      if (st.size && !st.has(r.status)) return false;
      if (!words.length) return true;
      const hay = `#${r.id} ${r.name} ${r.label} ${r.scheme} ${r.problemKind} seed ${r.seed} ${r.status} ${(r.tags ?? []).map((t) => `#${t} ${t}`).join(' ')} ${r.notes ?? ''}`.toLowerCase();
      return words.every((w) => hay.includes(w));
    });
  });

  const sorted = computed(() => {
    const key = sortKey.value;
    const dir = sortDesc.value ? -1 : 1;
    return [...filtered.value].sort((a, b) => {
      const x = keyOf(a, key);
      const y = keyOf(b, key);
      // Missing values (NaN) last in either direction.
      const xn = typeof x === 'number' && Number.isNaN(x);
      const yn = typeof y === 'number' && Number.isNaN(y);
      if (xn || yn) return xn === yn ? a.id - b.id : xn ? 1 : -1;
      // Mixed numbers and text (a parameter that is a number in some runs) compare as text.
      const [p, q] = typeof x === typeof y ? [x, y] : [String(x), String(y)];
      return (p < q ? -1 : p > q ? 1 : a.id - b.id) * dir;
    });
  });
  const visible = computed(() => sorted.value.slice(0, limit.value));

  /** Parameters whose value differs among the listed (filtered) runs. */
  const paramColumns = computed(() => varyingParams(filtered.value));
  /** Metrics the listed runs declare (bounds left out), in declaration order. */
  const metricColumns = computed<MetricDef[]>(() => unionMetricDefs(filtered.value).filter((d) => !isBound(d.name)));

  function sortBy(key: SortKey) {
    if (sortKey.value === key) sortDesc.value = !sortDesc.value;
    else {
      sortKey.value = key;
      sortDesc.value = key === 'id';
    }
  }
  const sortMark = (key: SortKey) => (sortKey.value === key ? (sortDesc.value ? '▼' : '▲') : '');

  function toggle(id: number) {
    const next = new Set(selected.value);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    selected.value = next;
  }
  const allVisibleSelected = computed(() => visible.value.length > 0 && visible.value.every((r) => selected.value.has(r.id)));
  function toggleAll() {
    const next = new Set(selected.value);
    const on = !allVisibleSelected.value;
    for (const r of visible.value) {
      if (on) next.add(r.id);
      else next.delete(r.id);
    }
    selected.value = next;
  }
  const clearSelection = () => {
    selected.value = new Set();
  };
  const showMore = () => {
    limit.value += PAGE;
  };

  return { text, statuses, sortKey, sortDesc, filtered, sorted, visible, paramColumns, metricColumns, sortBy, sortMark, selected, toggle, toggleAll, allVisibleSelected, clearSelection, showMore };
}

/** A metric value for a table cell: 4 significant digits, exponent form for very small/large values. */
export function formatMetric(v: number | undefined): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e5 ? v.toExponential(3) : v.toPrecision(4);
}
