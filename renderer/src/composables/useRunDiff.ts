// The config diff of two or more runs: their resolved specs (with the seed) compared field by field
// (src/analysis/diff.ts); only the fields whose values differ are kept, one column per run.
import { ref, shallowRef } from 'vue';
import type { RunDetail } from '../../../src/api';
import { diffConfigs, type DiffRow } from '../../../src/analysis/diff';
import { useLabStore } from '../stores/lab';
import { errorText } from '../api/errors';

export function useRunDiff() {
  const lab = useLabStore();
  const runs = shallowRef<RunDetail[]>([]);
  const rows = shallowRef<DiffRow[]>([]);
  const loading = ref(false);
  const error = ref('');
  let request = 0;

  async function show(ids: readonly number[]): Promise<void> {
    const id = ++request;
    loading.value = true;
    error.value = '';
    try {
      const got = await Promise.all(ids.map((i) => lab.client.getRun({ id: i })));
      if (id !== request) return;
      runs.value = got;
      rows.value = diffConfigs(got.map((r) => ({ ...r.spec, seed: r.seed })));
    } catch (err) {
      if (id === request) error.value = `Could not load the runs to compare: ${errorText(err)}`;
    } finally {
      if (id === request) loading.value = false;
    }
  }
  function close() {
    request++;
    runs.value = [];
    rows.value = [];
    error.value = '';
  }
  return { runs, rows, loading, error, show, close };
}

/** A diff cell: numbers and strings as they are, missing as an em dash, anything else as JSON. */
export function diffCell(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}
