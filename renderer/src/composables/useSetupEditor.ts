// The setup editor's state and actions: a draft validated by parseSetup as the user types (the same function
// the service uses), the generated form descriptions, JSON view, presets, save and queue.
import { computed, onBeforeUnmount, ref, shallowRef, watch } from 'vue';
import type { Preset, SetupRecord } from '../../../src/api';
import { ProblemSchema, SchemeSchema, SCHEMES_FOR_PROBLEM, SetupSchema, parseSetup, sweepablePaths, type Setup } from '../../../src/setup/schema';
import type { SetupIssue } from '../../../src/setup/issues';
import { describeSchema } from './schemaForm';
import { prettyJson } from './prettyJson';
import { toLabError } from '../api/errors';
import { useLabStore } from '../stores/lab';

export type Draft = Record<string, unknown>;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Number of leaf values in a draft, counted up to `limit` (a cheap size estimate). */
export function leafCount(v: unknown, limit = Infinity): number {
  if (Array.isArray(v)) {
    let n = 0;
    for (const x of v) {
      n += x !== null && typeof x === 'object' ? leafCount(x, limit - n) : 1;
      if (n >= limit) return n;
    }
    return n;
  }
  if (v && typeof v === 'object') {
    let n = 0;
    for (const x of Object.values(v)) {
      n += leafCount(x, limit - n);
      if (n >= limit) return n;
    }
    return n;
  }
  return 1;
}
/** Above this many values (e.g. a dense 300 x 300 covariance) validation waits for a typing pause and the JSON view is off. */
export const LARGE_DRAFT = 50_000;

export const BLANK_SETUP: Draft = {
  name: 'New setup',
  problem: { kind: 'gaussian-kl', target: { mean: [0], cov: [[1]] }, init: { mean: [3], cov: [[0.5]] } },
  scheme: { kind: 'fb', step: 0.1 },
  iterations: 1000,
  seeds: [0],
  sweep: {},
};

// Generated once: the forms follow the schemas that validate the setup.
const forms = {
  name: describeSchema(SetupSchema.shape.name, 'name'),
  description: describeSchema(SetupSchema.shape.description, 'description'),
  iterations: describeSchema(SetupSchema.shape.iterations, 'iterations'),
  seeds: describeSchema(SetupSchema.shape.seeds, 'seeds'),
  sweep: describeSchema(SetupSchema.shape.sweep, 'sweep'),
  problem: describeSchema(ProblemSchema, 'problem'),
  scheme: describeSchema(SchemeSchema, 'scheme'),
};

export function useSetupEditor() {
  const lab = useLabStore();
  const draft = ref<Draft>(clone(BLANK_SETUP));
  const editingId = ref<number | undefined>(undefined);
  const savedJson = ref(JSON.stringify(draft.value));
  /** The preset the draft was loaded from (shown with its paper), until another setup is loaded. */
  const fromPreset = shallowRef<Preset | null>(null);
  const busy = ref<'' | 'saving' | 'queueing'>('');
  /** Outcome of the last save/queue, in words. */
  const notice = ref<{ kind: 'ok' | 'error'; text: string } | null>(null);
  /** Issues the server reported on the last save (normally the same as the client-side ones). */
  const serverIssues = shallowRef<SetupIssue[]>([]);

  // Validation as the user types; large drafts (dense covariances cost O(d^3) to check) wait for a pause.
  const parsed = shallowRef(parseSetup(draft.value));
  const large = computed(() => leafCount(draft.value, LARGE_DRAFT) >= LARGE_DRAFT);
  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(draft, (d) => {
    clearTimeout(timer);
    if (large.value) timer = setTimeout(() => (parsed.value = parseSetup(d)), 400);
    else parsed.value = parseSetup(d);
  });
  onBeforeUnmount(() => clearTimeout(timer));
  const issues = computed<SetupIssue[]>(() => (parsed.value.ok ? serverIssues.value : parsed.value.issues));
  const runCount = computed(() => (parsed.value.ok ? parsed.value.value.runs.length : 0));
  const warnings = computed<SetupIssue[]>(() => (parsed.value.ok ? parsed.value.value.warnings : []));
  const dirty = computed(() => JSON.stringify(draft.value) !== savedJson.value);
  const paths = computed(() => {
    try {
      return sweepablePaths(draft.value as unknown as Setup);
    } catch {
      return [];
    }
  });
  const allowedSchemes = computed(() => {
    const kind = (draft.value.problem as { kind?: string } | undefined)?.kind;
    return kind && kind in SCHEMES_FOR_PROBLEM ? SCHEMES_FOR_PROBLEM[kind] : undefined;
  });

  function setField(key: string, value: unknown) {
    const next = { ...draft.value };
    if (value === undefined) delete next[key];
    else next[key] = value;
    draft.value = next;
    serverIssues.value = [];
    notice.value = null;
  }

  function loadDraft(setup: unknown, id: number | undefined) {
    draft.value = clone(setup) as Draft;
    editingId.value = id;
    savedJson.value = id === undefined ? '' : JSON.stringify(draft.value);
    serverIssues.value = [];
    notice.value = null;
  }
  const loadRecord = (r: SetupRecord) => {
    loadDraft(r.setup, r.id);
    fromPreset.value = null;
  };
  const loadPreset = (p: Preset) => {
    loadDraft(p.setup, undefined);
    fromPreset.value = p;
  };
  const newSetup = () => {
    loadDraft(BLANK_SETUP, undefined);
    fromPreset.value = null;
  };

  // JSON view: editable; applied only when it parses.
  const jsonText = computed(() => (large.value ? '' : prettyJson(draft.value)));
  const jsonError = ref('');
  function applyJson(text: string) {
    try {
      const v = JSON.parse(text) as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('the setup must be a JSON object { "name": ..., "problem": ..., ... }');
      draft.value = v as Draft;
      jsonError.value = '';
    } catch (err) {
      jsonError.value = `JSON not applied: ${(err as Error).message}`;
    }
  }

  async function save(): Promise<SetupRecord | undefined> {
    if (!parsed.value.ok) {
      notice.value = { kind: 'error', text: `Fix the ${parsed.value.issues.length} issue${parsed.value.issues.length === 1 ? '' : 's'} marked in red before saving.` };
      return undefined;
    }
    busy.value = 'saving';
    try {
      const rec = await lab.client.saveSetup({ id: editingId.value, setup: draft.value });
      editingId.value = rec.id;
      savedJson.value = JSON.stringify(draft.value);
      notice.value = { kind: 'ok', text: `Saved setup #${rec.id} "${rec.name}".` };
      void lab.refreshSetups();
      return rec;
    } catch (err) {
      const e = toLabError(err);
      serverIssues.value = [...e.issues];
      notice.value = { kind: 'error', text: `Not saved: ${e.message}` };
      return undefined;
    } finally {
      busy.value = '';
    }
  }

  async function queue(): Promise<number[] | undefined> {
    const rec = await save();
    if (!rec) return undefined;
    busy.value = 'queueing';
    try {
      const { runIds } = await lab.client.queueSetup({ setupId: rec.id });
      notice.value = { kind: 'ok', text: `Queued ${runIds.length} run${runIds.length === 1 ? '' : 's'} of "${rec.name}" (runs #${runIds[0]}${runIds.length > 1 ? `–#${runIds[runIds.length - 1]}` : ''}).` };
      void lab.refreshSetups();
      return runIds;
    } catch (err) {
      notice.value = { kind: 'error', text: `Saved, but not queued: ${toLabError(err).message}` };
      return undefined;
    } finally {
      busy.value = '';
    }
  }

  async function remove(id: number) {
    const rec = lab.setups.find((s) => s.id === id);
    if (!window.confirm(`Delete setup #${id}${rec ? ` "${rec.name}"` : ''}? Its runs and their metrics stay in Runs.`)) return;
    try {
      await lab.client.deleteSetup({ id });
      if (editingId.value === id) newSetup();
      await lab.refreshSetups();
    } catch (err) {
      notice.value = { kind: 'error', text: `Not deleted: ${toLabError(err).message}` };
    }
  }

  return {
    forms, draft, editingId, fromPreset, large, busy, notice, issues, warnings, runCount, dirty, paths, allowedSchemes, parsed,
    setField, loadRecord, loadPreset, newSetup, jsonText, jsonError, applyJson, save, queue, remove,
  };
}
