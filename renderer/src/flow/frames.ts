// Snapshot bookkeeping of the Flow view: which stored frame a run shows at iteration k, the shared timeline of
// several runs, the decoded frames, and a bounded least-recently-used cache of them. Pure, no DOM.
import type { SnapshotData } from '../../../src/api';

/** The largest value of the ascending list `iterations` that is <= k, or undefined when there is none. */
export function latestAtOrBefore(iterations: readonly number[], k: number): number | undefined {
  let lo = 0;
  let hi = iterations.length - 1;
  let found: number | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (iterations[mid] <= k) {
      found = iterations[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Index of `k` in the ascending list, or -1. */
export function indexOfIteration(iterations: readonly number[], k: number): number {
  let lo = 0;
  let hi = iterations.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (iterations[mid] === k) return mid;
    if (iterations[mid] < k) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The sorted union of several runs' snapshot iterations: the steps of the shared scrubber. */
export function timelineOf(lists: Iterable<readonly number[]>): number[] {
  const all = new Set<number>();
  for (const l of lists) for (const k of l) all.add(k);
  return [...all].sort((a, b) => a - b);
}

/** Inserts k into an ascending list (no duplicates); returns whether it was new. */
export function insertSorted(list: number[], k: number): boolean {
  if (indexOfIteration(list, k) >= 0) return false;
  let i = list.length;
  while (i > 0 && list[i - 1] > k) i--;
  list.splice(i, 0, k);
  return true;
}

/** A snapshot decoded for drawing: bulk numbers in typed arrays. */
export type Frame =
  | { readonly kind: 'particles'; readonly iteration: number; readonly dim: number; readonly n: number; readonly positions: Float32Array; readonly weights?: Float64Array }
  | { readonly kind: 'gaussian'; readonly iteration: number; readonly dim: number; readonly mean: number[]; readonly cov: number[][] }
  /** Grid masses, channel-major (channel c holds masses[c * cells .. (c + 1) * cells)). */
  | { readonly kind: 'grid'; readonly iteration: number; readonly shape: number[]; readonly channels: number; readonly masses: Float32Array };

export function decodeSnapshot(s: SnapshotData): Frame {
  switch (s.kind) {
    case 'particles':
      return { kind: 'particles', iteration: s.iteration, dim: s.dim, n: s.n, positions: Float32Array.from(s.positions), ...(s.weights ? { weights: Float64Array.from(s.weights) } : {}) };
    case 'gaussian': {
      const d = s.dim;
      const cov = s.cov ?? Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? s.diag?.[i] ?? 0 : 0)));
      return { kind: 'gaussian', iteration: s.iteration, dim: d, mean: s.mean, cov };
    }
    case 'grid':
      return { kind: 'grid', iteration: s.iteration, shape: s.shape, channels: Math.max(1, s.channels ?? 1), masses: Float32Array.from(s.masses) };
  }
}

/** Numbers a frame holds (the cache's unit of size). */
export function frameSize(f: Frame): number {
  if (f.kind === 'particles') return f.positions.length + (f.weights?.length ?? 0) + 8;
  if (f.kind === 'grid') return f.masses.length + 8;
  return f.dim * (f.dim + 1) + 8;
}

/** Decoded frames by (run, iteration), at most `capacity` numbers in all; the least recently used go first. */
export class FrameCache {
  readonly #map = new Map<string, Frame>();
  #size = 0;
  constructor(readonly capacity: number) {}

  static key(runId: number, iteration: number): string {
    return `${runId}:${iteration}`;
  }
  get size(): number {
    return this.#size;
  }
  get count(): number {
    return this.#map.size;
  }
  has(runId: number, iteration: number): boolean {
    return this.#map.has(FrameCache.key(runId, iteration));
  }
  /** The frame, marked as most recently used. */
  get(runId: number, iteration: number): Frame | undefined {
    const k = FrameCache.key(runId, iteration);
    const f = this.#map.get(k);
    if (f) {
      this.#map.delete(k);
      this.#map.set(k, f);
    }
    return f;
  }
  set(runId: number, f: Frame): void {
    const k = FrameCache.key(runId, f.iteration);
    const old = this.#map.get(k);
    if (old) {
      this.#size -= frameSize(old);
      this.#map.delete(k);
    }
    this.#map.set(k, f);
    this.#size += frameSize(f);
    // Evict the oldest, but never the frame just stored.
    for (const [key, v] of this.#map) {
      if (this.#size <= this.capacity || key === k) break;
      this.#map.delete(key);
      this.#size -= frameSize(v);
    }
  }
  /** Drops every frame of a run (it was queued again). */
  dropRun(runId: number): void {
    const prefix = `${runId}:`;
    for (const [key, v] of this.#map) {
      if (!key.startsWith(prefix)) continue;
      this.#map.delete(key);
      this.#size -= frameSize(v);
    }
  }
  /** The cached frame of this run with the largest iteration <= k among `iterations` (ascending), if any. */
  bestAtOrBefore(runId: number, iterations: readonly number[], k: number): Frame | undefined {
    let i = indexOfIteration(iterations, latestAtOrBefore(iterations, k) ?? -1);
    for (; i >= 0; i--) {
      const f = this.#map.get(FrameCache.key(runId, iterations[i]));
      if (f) return f;
    }
    return undefined;
  }
}

/**
 * The iterations to fetch so that `iterations[from]` is available: up to `chunk` consecutive stored iterations
 * from there that are neither cached nor in flight.
 */
export function chunkToFetch(iterations: readonly number[], from: number, chunk: number, have: (k: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = Math.max(0, from); i < iterations.length && out.length < chunk; i++) if (!have(iterations[i])) out.push(iterations[i]);
  return out;
}
