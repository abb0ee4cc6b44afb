// Estimated time to completion of running runs, from the rate of progress observed by this client (a sliding
// window of progress samples), falling back to the rate since the run started.
import { onBeforeUnmount, ref } from 'vue';
import type { RunRow } from '../stores/runs';

interface Sample { t: number; it: number }
const WINDOW_MS = 10_000;
/** A running run without progress for this long shows "no progress" instead of an ETA (its process may be gone). */
const STALL_MS = 15_000;

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function useEta() {
  const now = ref(Date.now());
  const timer = setInterval(() => {
    now.value = Date.now();
  }, 1000);
  onBeforeUnmount(() => clearInterval(timer));
  const samples = new Map<number, Sample[]>();

  /** Iterations per second of a running run, or undefined when not known yet. */
  function rate(run: RunRow): number | undefined {
    const t = Date.now();
    let list = samples.get(run.id);
    if (!list) samples.set(run.id, (list = []));
    const last = list[list.length - 1];
    if (!last || last.it !== run.lastIteration) list.push({ t, it: run.lastIteration });
    if (last && run.lastIteration < last.it) list.splice(0, list.length - 1); // re-queued: start over
    while (list.length > 2 && t - list[0].t > WINDOW_MS) list.shift();
    const first = list[0];
    const newest = list[list.length - 1];
    if (list.length >= 2 && newest.t > first.t && newest.it > first.it) return ((newest.it - first.it) * 1000) / (newest.t - first.t);
    if (run.startedAt && run.lastIteration > 0) {
      const elapsed = t - Date.parse(run.startedAt);
      if (elapsed > 0) return (run.lastIteration * 1000) / elapsed;
    }
    return undefined;
  }

  /** "12 s", "3 min 05 s", "—" (unknown); for finished runs "took 3 s"; "" (queued). */
  function eta(run: RunRow): string {
    void now.value; // re-evaluated every second
    if (run.status !== 'running') {
      if (!run.startedAt || !run.finishedAt) return '';
      return `took ${formatDuration(Math.max(0, Date.parse(run.finishedAt) - Date.parse(run.startedAt)))}`;
    }
    const r = rate(run);
    const newest = samples.get(run.id)?.at(-1);
    if (newest && Date.now() - newest.t > STALL_MS) return `no progress for ${formatDuration(Date.now() - newest.t)}`;
    if (!r) return '—';
    const perSec = r >= 100 ? Math.round(r).toLocaleString('en-US') : r.toPrecision(2);
    return `${formatDuration(((run.iterations - run.lastIteration) / r) * 1000)} · ${perSec} it/s`;
  }

  return { now, eta, rate };
}
