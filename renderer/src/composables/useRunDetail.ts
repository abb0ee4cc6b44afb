// Data and actions of the run detail (#/run?id=N): the run (getRun: resolved spec, references), kept current by
// 'run' events; its notes and tags (edited, saved with annotateRun); re-queue (confirmed when it replaces stored
// metrics), cancel and delete (confirmed); whether it has snapshots (for the embedded Flow player).
import { computed, onBeforeUnmount, ref, shallowRef, watch } from 'vue';
import type { LabEvent, RunDetail } from '../../../src/api';
import { useLabStore } from '../stores/lab';
import { useRoute } from './useRoute';
import { errorText } from '../api/errors';

/** Tags from the text field: split at commas or spaces, trimmed, unique. */
export const parseTags = (s: string): string[] => [...new Set(s.split(/[,\s]+/).map((t) => t.trim()).filter(Boolean))];

const seconds = (a: string | null, b: string | null): number | null => (a && b ? (Date.parse(b) - Date.parse(a)) / 1000 : null);

export function useRunDetail() {
  const lab = useLabStore();
  const { query, go } = useRoute();
  const id = computed(() => (/^\d+$/.test(query.value.id ?? '') ? Number(query.value.id) : 0));
  const run = shallowRef<RunDetail | null>(null);
  const error = ref('');
  const notice = ref('');
  const busy = ref('');
  const deleted = ref(false);
  const notes = ref('');
  const tagsText = ref('');
  const snapshotCount = ref(0);

  const dirty = computed(() => !!run.value && (notes.value !== run.value.notes || parseTags(tagsText.value).join() !== run.value.tags.join()));
  const duration = computed(() => (run.value ? seconds(run.value.startedAt, run.value.finishedAt) : null));
  const specJson = computed(() => (run.value ? JSON.stringify(run.value.spec, null, 2) : ''));

  function resetDraft() {
    notes.value = run.value?.notes ?? '';
    tagsText.value = (run.value?.tags ?? []).join(', ');
  }

  async function load(): Promise<void> {
    error.value = '';
    notice.value = '';
    deleted.value = false;
    run.value = null;
    if (!id.value) {
      error.value = 'No run given: open a run from the Runs view.';
      return;
    }
    const want = id.value;
    try {
      const [r, snaps] = await Promise.all([lab.client.getRun({ id: want }), lab.client.listSnapshots({ runIds: [want] })]);
      if (want !== id.value) return;
      run.value = r;
      snapshotCount.value = snaps[0]?.iterations.length ?? 0;
      resetDraft();
    } catch (err) {
      if (want === id.value) error.value = `Could not load run #${want}: ${errorText(err)}`;
    }
  }
  watch(id, () => void load());

  async function act(what: string, f: () => Promise<unknown>, done: string): Promise<boolean> {
    busy.value = what;
    error.value = '';
    notice.value = '';
    try {
      await f();
      notice.value = done;
      return true;
    } catch (err) {
      error.value = `Could not ${what}: ${errorText(err)}`;
      return false;
    } finally {
      busy.value = '';
    }
  }

  async function saveNotes(): Promise<void> {
    const r = run.value;
    if (!r) return;
    await act('save the notes', async () => {
      const s = await lab.client.annotateRun({ id: r.id, notes: notes.value, tags: parseTags(tagsText.value) });
      run.value = { ...r, ...s };
      resetDraft();
    }, 'Notes and tags saved.');
  }

  async function requeue(): Promise<void> {
    const r = run.value;
    if (!r) return;
    const stored = r.lastIteration >= 0;
    if (stored && !window.confirm(`Queue run #${r.id} again from the start? Its stored metrics (${r.lastIteration + 1} iterations) and snapshots are replaced.`)) return;
    if (await act('re-queue the run', () => lab.client.requeueRun({ id: r.id }), `Run #${r.id} queued again.`)) snapshotCount.value = 0;
  }
  const cancel = () => (run.value ? act('cancel the run', () => lab.client.cancelRun({ id: run.value!.id }), 'Cancelled.') : Promise.resolve(false));
  async function remove(): Promise<void> {
    const r = run.value;
    if (!r || !window.confirm(`Delete run #${r.id} (${r.label}) with its metrics and snapshots? This cannot be undone.`)) return;
    if (await act('delete the run', () => lab.client.deleteRuns({ ids: [r.id] }), `Run #${r.id} deleted.`)) go('runs');
  }

  function onEvent(e: LabEvent) {
    const r = run.value;
    if (!r) return;
    if (e.type === 'run' && e.run.id === r.id) {
      const wasDirty = dirty.value;
      run.value = { ...r, ...e.run };
      if (!wasDirty) resetDraft();
    } else if (e.type === 'snapshot' && e.runId === r.id) snapshotCount.value++;
    else if (e.type === 'deleted' && e.runIds.includes(r.id)) deleted.value = true;
  }
  const off = lab.client.onEvent(onEvent);
  onBeforeUnmount(off);

  return { id, run, error, notice, busy, deleted, notes, tagsText, dirty, duration, specJson, snapshotCount, load, saveNotes, requeue, cancel, remove, resetDraft };
}
