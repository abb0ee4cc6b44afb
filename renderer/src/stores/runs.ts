// Every run the lab knows, kept current by pushed events (status, progress, final metrics). Shared by the
// Queue, Runs and Compare views. Events are applied once per animation frame so that a burst of progress
// events costs one re-render.
import { defineStore } from 'pinia';
import { computed, shallowRef, triggerRef } from 'vue';
import type { LabEvent, RunSummary } from '../../../src/api';
import { useLabStore } from './lab';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type RunRow = Mutable<RunSummary> & { final: Record<string, number> };

export const useRunsStore = defineStore('runs', () => {
  const lab = useLabStore();
  const byId = shallowRef(new Map<number, RunRow>());
  const loaded = shallowRef(false);
  const list = computed(() => [...byId.value.values()].sort((a, b) => b.id - a.id));

  /** Events waiting for the next frame; metric batches are reduced to their last row on arrival. */
  type Pending = { type: 'run'; run: RunSummary } | { type: 'progress'; runId: number; last: number; final: Record<string, number> } | { type: 'deleted'; runIds: number[] };
  const pending: Pending[] = [];
  let scheduled = false;

  function apply(e: Pending) {
    const map = byId.value;
    if (e.type === 'deleted') {
      for (const id of e.runIds) map.delete(id);
      return;
    }
    if (e.type === 'run') {
      const prev = map.get(e.run.id);
      const next = { ...e.run, final: { ...e.run.final } } as RunRow;
      // A late progress event must not move a run backwards within the same attempt.
      if (prev && prev.status === next.status && prev.startedAt === next.startedAt && prev.lastIteration > next.lastIteration) {
        next.lastIteration = prev.lastIteration;
        next.final = prev.final;
      }
      map.set(e.run.id, next);
    } else {
      const run = map.get(e.runId);
      if (!run || e.last < run.lastIteration) return;
      map.set(e.runId, { ...run, lastIteration: e.last, final: { ...run.final, ...e.final }, status: run.status === 'queued' ? 'running' : run.status });
    }
  }

  function flush() {
    scheduled = false;
    for (const e of pending.splice(0)) apply(e);
    triggerRef(byId);
  }

  function onEvent(e: LabEvent) {
    // 'stale': the runs of a dead process arrive as 'run' events too.
    if (e.type === 'setups' || e.type === 'snapshot' || e.type === 'stale') return;
    if (e.type === 'run') pending.push({ type: 'run', run: e.run });
    else if (e.type === 'deleted') pending.push({ type: 'deleted', runIds: e.runIds });
    else {
      const rows = e.iterations.length;
      if (rows === 0) return;
      const m = e.names.length;
      const final: Record<string, number> = {};
      e.names.forEach((name, j) => {
        final[name] = e.values[(rows - 1) * m + j];
      });
      pending.push({ type: 'progress', runId: e.runId, last: e.iterations[rows - 1], final });
    }
    if (scheduled) return;
    scheduled = true;
    // Animation frames stop in a hidden tab; a timer keeps the list current there.
    if (document.hidden) setTimeout(flush, 500);
    else requestAnimationFrame(flush);
  }

  async function refresh(): Promise<void> {
    try {
      const runs = await lab.client.listRuns({});
      byId.value = new Map(runs.map((r) => [r.id, { ...r, final: { ...r.final } } as RunRow]));
      loaded.value = true;
    } catch (err) {
      lab.report(err, 'Could not load the runs');
    }
  }

  let started: Promise<void> | undefined;
  /** Subscribes and loads the runs once; every caller waits for the same first load. */
  function init(): Promise<void> {
    started ??= (async () => {
      lab.client.onEvent(onEvent);
      lab.client.onReconnect(() => void refresh());
      await refresh();
    })();
    return started;
  }

  const get = (id: number): RunRow | undefined => byId.value.get(id);

  return { byId, list, loaded, get, refresh, init };
});
